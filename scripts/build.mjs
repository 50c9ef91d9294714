#!/usr/bin/env node
// `npm run build`: Next's production build, then the production server entry (server/http/server.ts,
// which serves /api/v1 itself and hands the rest to Next) compiled to .next/switchboard/server.cjs.
// `--if-stale`: only when a source is newer than the last build (what `npm start` and the browser tests do).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const serverEntry = path.join(root, ".next/switchboard/server.cjs");
const buildId = path.join(root, ".next", "BUILD_ID");
const sources = ["app", "components", "server", "flows", "lib", "drizzle", "public", "next.config.ts", "package-lock.json", "instrumentation.ts"];

// Tests beside the code are not part of the build: adding or editing one does not make it stale (so a
// folder's own mtime, which a new test file changes, does not count either; after deleting a source
// file, run `npm run build`).
const isTest = (entry) => /\.test\.tsx?$/.test(entry);

function newestMtime(entry) {
  const full = path.join(root, entry);
  if (!fs.existsSync(full) || isTest(entry)) return 0;
  const stat = fs.statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(full).reduce((max, child) => Math.max(max, newestMtime(path.join(entry, child))), 0);
}

// Bundled into the server entry rather than required at run time (see the plugin below).
const bundledPackages = new Set(["@breezystack/lamejs"]);

export function isStale() {
  if (!fs.existsSync(buildId) || !fs.existsSync(serverEntry)) return true;
  return fs.statSync(serverEntry).mtimeMs < Math.max(...sources.map(newestMtime));
}

export async function build() {
  process.env.NEXT_TELEMETRY_DISABLED ??= "1";
  const result = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) return result.status ?? 1;
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [path.join(root, "server/http/server.ts")],
    outfile: serverEntry,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    // Packages stay in node_modules and are loaded by Node at run time, except those whose require()
    // entry is unusable: @breezystack/lamejs's is a browser IIFE that exports nothing, so its ES module
    // build is bundled in (Next's bundles do the same).
    plugins: [
      {
        name: "node-modules-external",
        setup(context) {
          context.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith("@/") || bundledPackages.has(args.path) ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
    tsconfig: path.join(root, "tsconfig.json"),
    sourcemap: true,
    logLevel: "warning",
  });
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--if-stale") && !isStale()) process.exit(0);
  process.exit(await build());
}
