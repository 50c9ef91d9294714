/**
 * The production server `npm start` runs: one `node:http` server that serves
 * the public API (`/api/v1/*`) itself, on Node's req/res through the same
 * `defineOperation` pipeline, and hands every other request to Next's own
 * request handler (the one `next start` uses).
 *
 * Why not `next start`: through Next's router and app-route runtime a
 * `GET /api/v1/users` cost 1.2–1.9 ms of CPU, of which our pipeline was 6%;
 * Next's router, the fetch Request/Response pair with its web streams,
 * AsyncLocalStorage hooks and split socket writes were the rest, and kept
 * p99 at 50 connections far above 20 ms. Here the same request costs what
 * our pipeline costs (README, Performance, with the figures and the
 * alternatives measured).
 *
 * What is the same as `next start`: Next runs `instrumentation.ts` while
 * preparing (so `boot()` — migrations, the runtime, the CRM integration — is
 * done before the first request, and its objects are on `globalThis`, where
 * this bundle's `getRuntime()`/`getIntegration()` find them), serves the
 * pages, assets, `/api/trpc`, `/api/auth` and applies `next.config.ts`.
 * What is lost: `output: "standalone"` (not used here; Next does not trace a
 * custom server) — Next's docs also name Automatic Static Optimization, which
 * applies to the pages router only and this app has no pages-router pages.
 *
 * With SWITCHBOARD_ROLES it serves only what the process's roles say
 * (`processListener.ts`).
 *
 * `npm run build` compiles this file with esbuild to
 * `.next/switchboard/server.cjs` (packages stay in node_modules).
 */
import http from "node:http";
import next from "next";
import { StartupError } from "@/server/config";

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  // scripts/start.mjs sets NODE_ENV=production before it loads this file, as `next start` does before loading Next.
  const app = next({ dev: false, dir: process.cwd(), port });
  await app.prepare();
  const handleNext = app.getRequestHandler();
  // Imported once Next has run instrumentation.ts: the API's modules read the configuration boot() checked.
  const { createApiListener } = await import("@/server/api/rest/nodeServer");
  const { installPeerAddressHeader } = await import("@/server/api/rest/clientIp");
  const { processListener } = await import("./processListener");
  installPeerAddressHeader();

  const server = http.createServer(processListener({ serveApi: createApiListener(), serveNext: handleNext }));
  server.listen(port, () => console.log(`Switchboard listening on http://localhost:${port}`));
}

main().catch((error: unknown) => {
  // A bad setting read here (SWITCHBOARD_ROLES) says what is wrong the way boot() does, without a stack.
  console.error(error instanceof StartupError ? `\nSwitchboard cannot start: ${error.message}\n` : error);
  process.exit(1);
});
