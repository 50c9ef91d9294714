import { getSessionUser } from "@/server/auth/options";
import { recordingsDir } from "@/server/runtime";
import { getDb } from "@/server/db/client";
import { recordingResponse, serveRecording } from "@/server/integration/recordingFiles";

/** The portal's call-history player: any signed-in user may listen (the public API has its own route with technical-user auth). */
export async function GET(request: Request, { params }: { params: Promise<{ code: string }> }): Promise<Response> {
  if (!(await getSessionUser())) return new Response("sign in first", { status: 401, headers: { "content-type": "text/plain" } });
  const { code } = await params;
  return recordingResponse(await serveRecording(getDb(), recordingsDir(), code, "wav", request.headers.get("range")));
}
