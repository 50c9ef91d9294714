import { getSessionUser } from "@/server/auth/options";
import { getDb } from "@/server/db/client";
import { actorOf } from "@/server/api/routers/operations";
import { liveFeed } from "@/server/live/liveFeed";
import { liveCallsFor } from "@/server/live/liveState";
import { liveEventStream } from "@/server/live/liveStream";

export const dynamic = "force-dynamic";

/**
 * The calls in progress the signed-in user may see, as server-sent events (`event: calls`): the list on
 * connect and after every change — what `calls.live` answers, pushed. A call's every step changes it, so
 * at most five lists a second go to each client.
 */
export async function GET(request: Request): Promise<Response> {
  const user = await getSessionUser();
  if (!user) return new Response("Sign in first", { status: 401 });
  const db = getDb();
  const actor = actorOf(user);
  return liveEventStream(request, await liveFeed(db), { topic: "calls", read: () => liveCallsFor(db, actor), minIntervalMs: 200 });
}
