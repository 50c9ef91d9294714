#!/usr/bin/env node
// `npm start`: builds when the sources are newer than the last build, then serves on PORT (default 3000)
// with the production server (server/http/server.ts: /api/v1 on Node's req/res, everything else through
// Next), in this same process, so a signal sent to `npm start` reaches the server itself.
import { createRequire } from "node:module";
import { build, isStale, root, serverEntry } from "./build.mjs";

process.chdir(root);
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
process.env.NODE_ENV = "production";
// next-auth takes the origin from the request; set NEXTAUTH_URL to pin it behind a proxy.
process.env.AUTH_TRUST_HOST ??= "true";

if (isStale()) {
  console.log("Building Switchboard…");
  const status = await build();
  if (status !== 0) process.exit(status);
}
createRequire(import.meta.url)(serverEntry);
