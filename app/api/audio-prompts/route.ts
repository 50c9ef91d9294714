import { getSessionUser } from "@/server/auth/options";
import { getDb } from "@/server/db/client";
import { getConfig } from "@/server/config";
import { audioDirOf } from "@/server/services/audioPrompts";
import { handleAudioUpload } from "@/server/audio/uploadRoute";

export const dynamic = "force-dynamic";

/** Upload of an audio prompt (admins, same-origin, multipart `file`): see server/audio/uploadRoute.ts. Listing, renaming and deleting go over tRPC `audioPrompts.*`. */
export async function POST(request: Request): Promise<Response> {
  return handleAudioUpload(request, { user: await getSessionUser(), db: getDb(), audioDir: audioDirOf(getConfig().dataDir) });
}
