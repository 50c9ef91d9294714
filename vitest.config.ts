import { defineConfig } from "vitest/config";
import path from "node:path";

// Unit and integration tests: everything except the browser tests.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "tests/e2e/**", "data/**"],
    environment: "node",
    testTimeout: 20_000,
    pool: "forks",
  },
});
