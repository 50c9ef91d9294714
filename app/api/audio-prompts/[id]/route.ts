import { getSessionUser } from "@/server/auth/options";
import { getDb } from "@/server/db/client";
import { getConfig } from "@/server/config";
import { audioDirOf, audioPromptFile } from "@/server/services/audioPrompts";
import { recordingResponse, serveFileWithRange } from "@/server/integration/recordingFiles";

export const dynamic = "force-dynamic";

/** An audio prompt's file for the editor's players (admins only, like the flows that use it), with Range support. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const user = await getSessionUser();
  if (!user) return new Response("sign in first", { status: 401, headers: { "content-type": "text/plain" } });
  if (user.role !== "admin") return new Response("admins only", { status: 403, headers: { "content-type": "text/plain" } });
  const { id } = await params;
  const file = await audioPromptFile(getDb(), audioDirOf(getConfig().dataDir), id);
  if (!file) return new Response("audio prompt not found", { status: 404, headers: { "content-type": "text/plain" } });
  return recordingResponse(serveFileWithRange(file.path, { contentType: file.contentType, fileName: file.fileName }, request.headers.get("range")));
}
