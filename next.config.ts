import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";
import { SECURITY_HEADERS } from "./server/http/securityHeaders";

const nextConfig: NextConfig = {
  // Native and worker-thread packages must be loaded by Node, not bundled.
  serverExternalPackages: ["better-sqlite3", "@node-rs/argon2", "pino", "pino-pretty"],
  poweredByHeader: false,
  // CI runs `tsc --noEmit` over the whole repository (tests and CLI included); the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  experimental: { authInterrupts: true },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [...SECURITY_HEADERS],
      },
    ];
  },
};

export default createNextIntlPlugin("./server/i18n/request.ts")(nextConfig);
