/**
 * Operator command line (API.md §Running): `npm run cli -- <command>`.
 * Every command prints JSON on stdout; errors go to stderr with exit code 1.
 */
import { parseArgs } from "node:util";
import { closeDatabase, getDb, openConfiguredDatabase } from "../db/client";
import { createUser } from "../services/users";
import { createExtension } from "../services/extensions";
import { createTechnicalUser } from "../services/technicalUsers";
import { seedDemo } from "../services/demo";
import { testFlow } from "../scenarios/testFlow";
import { ServiceError } from "../services/errors";
import { ZodError } from "zod";
import { StartupError } from "../config";
import { DbCopyUsageError, dbCopy, dbVerify } from "./dbCopy";
import { CopyRefusedError } from "../db/sqliteToPostgres";

const usage = `Usage: npm run cli -- <command>
  user create --email E --name N --role admin|user [--extension 101] --password-stdin
  technical-user create --name N [--scopes a,b]
  demo seed
  flows test FLOW_FILE_OR_ID      runs the flow's saved test scenarios; exit code 1 when one fails
  db copy --to postgres://… [--replace] [--recordings-to DIR]
                                  copies DATA_DIR's SQLite database into PostgreSQL and verifies every table; exit code 1 on a mismatch.
                                  --replace: delete what the target holds first; --recordings-to DIR: copy recordings and audio prompts
                                  into DIR/recordings and DIR/audio (DIR becomes the new installation's DATA_DIR)
  db verify --to postgres://…     compares DATA_DIR's SQLite database with PostgreSQL again, table by table`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

async function run(argv: string[]): Promise<unknown> {
  const [noun, verb, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      email: { type: "string" },
      name: { type: "string" },
      role: { type: "string" },
      extension: { type: "string" },
      "password-stdin": { type: "boolean" },
      scopes: { type: "string" },
      to: { type: "string" },
      replace: { type: "boolean" },
      "recordings-to": { type: "string" },
    },
    strict: true,
  });
  // The copy's source is always DATA_DIR's SQLite file, whatever DATABASE_URL says.
  if (noun === "db" && verb === "copy") return dbCopy({ to: values.to, replace: values.replace, recordingsTo: values["recordings-to"] });
  if (noun === "db" && verb === "verify") return dbVerify({ to: values.to });
  await openConfiguredDatabase();
  const db = getDb();
  switch (`${noun} ${verb}`) {
    case "user create": {
      if (!values["password-stdin"]) throw new UsageError("user create needs --password-stdin (the password is never taken from the command line)");
      const [firstName, ...last] = (values.name ?? "").trim().split(/\s+/);
      const user = await createUser(db, {
        email: values.email ?? "",
        firstName: firstName ?? "",
        lastName: last.join(" "),
        role: (values.role ?? "user") as "admin" | "user",
        password: await readStdin(),
      });
      const extension = values.extension
        ? (await createExtension(db, { number: values.extension, name: values.name ?? values.extension, ownerUserId: user.id, enabled: true })).number
        : null;
      return { id: user.id, email: user.email, role: user.role, extension };
    }
    case "technical-user create": {
      const scopes = values.scopes?.split(",").map((s) => s.trim()).filter(Boolean);
      const { technicalUser, clientSecret } = await createTechnicalUser(db, { name: values.name ?? "", scopes: scopes as never });
      return { id: technicalUser.id, name: technicalUser.name, client_id: technicalUser.clientId, client_secret: clientSecret, scopes: technicalUser.scopes };
    }
    case "demo seed":
      return seedDemo(db);
    case "flows test": {
      const target = rest[0];
      if (!target) throw new UsageError(usage);
      const report = await testFlow(db, target);
      if (!report.passed) process.exitCode = 1;
      return report;
    }
    default:
      throw new UsageError(usage);
  }
}

class UsageError extends Error {}

run(process.argv.slice(2))
  .then((result) => {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  })
  .catch((error: unknown) => {
    const message =
      error instanceof ZodError
        ? error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("\n")
        : error instanceof ServiceError || error instanceof UsageError || error instanceof DbCopyUsageError || error instanceof CopyRefusedError || error instanceof StartupError || (error instanceof Error && error.name === "TypeError")
          ? error.message
          : String(error instanceof Error ? error.stack : error);
    process.stderr.write(`${message}\n`);
    process.exitCode = 1;
  })
  // PostgreSQL's pool would keep the process alive.
  .finally(closeDatabase);
