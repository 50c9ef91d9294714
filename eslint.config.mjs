import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/**
 * Lint rules, including the architecture's layering (CI fails when it is broken):
 * - flows/ is pure TypeScript: no app/, components/, server/, React or Next.
 * - components/ (browser code) never imports server modules except types, and
 *   never the flow executors or interpreter (they are server-side).
 */
const restrict = (patterns) => ["error", { patterns }];

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [".next/**", "node_modules/**", "data/**", "test-results/**", "next-env.d.ts", "drizzle/meta/**"],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["flows/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": restrict([
        { group: ["@/app/*", "@/components/*", "@/server/*", "@/lib/*", "**/app/*", "**/components/*", "**/server/*"], message: "flows/ is pure TypeScript and must not depend on the application." },
        { group: ["react", "react-dom", "react/*", "next", "next/*", "@xyflow/*"], message: "flows/ must not depend on React or Next." },
      ]),
    },
  },
  {
    files: ["components/**/*.ts", "components/**/*.tsx"],
    rules: {
      "@typescript-eslint/no-restricted-imports": restrict([
        { group: ["@/server/*", "**/server/*"], allowTypeImports: true, message: "Browser code may import server types only." },
        { group: ["@/flows/nodes/*/execute", "@/flows/nodes/executors", "@/flows/runtime/*", "!@/flows/runtime/ports"], message: "Executors and the interpreter are server-side." },
        { group: ["better-sqlite3", "drizzle-orm", "drizzle-orm/*", "pino", "node:*"], message: "Server-only package in browser code." },
      ]),
    },
  },
  {
    // The data layer is asynchronous (issue #12): a forgotten `await` on a service would run it unobserved.
    files: ["server/**/*.ts", "app/**/*.ts", "app/**/*.tsx"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false, attributes: false } }],
    },
  },
];

export default config;
