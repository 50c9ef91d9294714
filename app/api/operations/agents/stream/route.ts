import { getSessionUser } from "@/server/auth/options";
import { getDb } from "@/server/db/client";
import { liveFeed } from "@/server/live/liveFeed";
import { liveAgentStates } from "@/server/live/liveState";
import { liveEventStream } from "@/server/live/liveStream";
import { agentBoard } from "@/server/services/callCentre";

export const dynamic = "force-dynamic";

/** The live agent board as server-sent events (`event: agents`): the whole board on connect and after every agent state change. */
export async function GET(request: Request): Promise<Response> {
  if (!(await getSessionUser())) return new Response("Sign in first", { status: 401 });
  const db = getDb();
  return liveEventStream(request, await liveFeed(db), { topic: "agents", read: async () => agentBoard(db, await liveAgentStates(db)) });
}
