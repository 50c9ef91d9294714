import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

// Browser tests: one production server (started by globalSetup) and Debian's Chromium driven by playwright-core.
export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    globalSetup: ["tests/e2e/globalSetup.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
