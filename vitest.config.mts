import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

// Unit and integration tests: everything except the browser tests.
export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "tests/e2e/**", "data/**"],
    environment: "node",
    testTimeout: 20_000,
    pool: "forks",
  },
});
