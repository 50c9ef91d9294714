/**
 * The one seam between a request and the call runtime (server/runtime/README.md,
 * "Several processes"). Handlers call `onRuntime(command, input)`; this decides
 * where the command runs:
 *
 * - one process (all four roles): here, as always — no look-up, no network;
 * - this process has a runtime and it has the call (or the command starts one): here;
 * - otherwise: over HTTP to another live runtime's internal endpoint
 *   (`POST /internal/runtime`, authenticated with a key derived from the app
 *   secret) — the call's owner from `open_calls`, else each live runtime in turn
 *   until one says it has the call (the others answer 421).
 *
 * The receiving runtime runs the command itself and never forwards again.
 */
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { systemClock } from "@/flows/runtime/clock";
import { getAppSecret, getConfig, ROLES } from "../config";
import { getDb, type Db } from "../db/client";
import { openCalls } from "../db/schema";
import { PbxError } from "../pbx/errors";
import { componentLogger } from "../logger";
import { getRuntime, localRuntime } from ".";
import type { Runtime } from "./runtime";
import { liveRuntimes } from "./registry";
import { runtimeCommands, runtimeHas, type CommandInput, type CommandName, type CommandOutput, type CommandRoute, type RuntimeCommand } from "./commands";

export const INTERNAL_RUNTIME_PATH = "/internal/runtime";
const FORWARD_TIMEOUT_MS = 10_000;
const log = componentLogger("call-routing");

/** Runs `name` where the call (or a new call) lives: this process or the runtime that owns it. */
export async function onRuntime<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
  const command = runtimeCommands[name] as unknown as RuntimeCommand<CommandInput<N>, CommandOutput<N>>;
  const db = getDb();
  const local = localRuntime();
  if (local && getConfig().SWITCHBOARD_ROLES.size === ROLES.length) return command.run(local, db, input);
  const route = command.route(input);
  if (local && route.kind !== "every" && runtimeHas(local, route)) return command.run(local, db, input);

  const peers = await peerRuntimes(db, local, route);
  if (route.kind === "every") {
    const answers = await Promise.all([...(local ? [command.run(local, db, input)] : []), ...peers.map((peer) => forward<CommandOutput<N>>(peer, name, input, false))]);
    const reached = answers.filter((answer): answer is Awaited<CommandOutput<N>> => answer !== NOT_REACHED);
    if (reached.length === 0) throw noRuntime();
    return command.merge!(reached);
  }
  const ownerOnly = route.kind === "call" || route.kind === "extension";
  for (const peer of peers) {
    const answer = await forward<CommandOutput<N>>(peer, name, input, ownerOnly);
    if (answer !== NOT_REACHED) return answer;
  }
  // Nobody has the call: it ended (or its runtime is gone) — answer from the database, or as a runtime would.
  if (command.withoutOwner) return command.withoutOwner(db, input);
  if (local) return command.run(local, db, input);
  for (const peer of ownerOnly ? peers : []) {
    const answer = await forward<CommandOutput<N>>(peer, name, input, false);
    if (answer !== NOT_REACHED) return answer;
  }
  throw noRuntime();
}

function noRuntime(): PbxError {
  return new PbxError("unavailable", "No call runtime is running; try again shortly");
}

interface Peer {
  id: string;
  internalUrl: string;
}

/** The other live runtimes, the call's owner first (new calls: a random one first, spreading the load). */
async function peerRuntimes(db: Db, local: Runtime | null, route: CommandRoute): Promise<Peer[]> {
  const live = (await liveRuntimes(db, (local?.clock ?? systemClock).now())).filter((peer) => peer.id !== local?.instanceId);
  if (route.kind === "call") {
    const [owner] = await db.select({ runtimeId: openCalls.runtimeId }).from(openCalls).where(eq(openCalls.callId, route.callId)).limit(1);
    return live.sort((a, b) => Number(b.id === owner?.runtimeId) - Number(a.id === owner?.runtimeId));
  }
  if (route.kind === "new" || route.kind === "any") {
    const start = crypto.randomInt(Math.max(live.length, 1));
    return [...live.slice(start), ...live.slice(0, start)];
  }
  return live;
}

const NOT_REACHED = Symbol("not reached");

/** Sends the command to a peer; NOT_REACHED when it does not have the call (421) or cannot be reached (it may have just died). */
async function forward<Output>(peer: Peer, command: CommandName, input: unknown, ownerOnly: boolean): Promise<Output | typeof NOT_REACHED> {
  let response: Response;
  try {
    response = await fetch(new URL(INTERNAL_RUNTIME_PATH, peer.internalUrl), {
      method: "POST",
      headers: { authorization: `Bearer ${internalKey()}`, "content-type": "application/json" },
      body: JSON.stringify({ command, input, ownerOnly }),
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
  } catch (error) {
    log.warn({ runtimeId: peer.id, command, err: error }, "a runtime could not be reached");
    return NOT_REACHED;
  }
  if (response.status === 421) return NOT_REACHED;
  const reply = (await response.json()) as { result?: Output; error?: TransportedError };
  if (response.ok) return reply.result as Output;
  throw errorOf(reply.error);
}

// ── the receiving side ────────────────────────────────────────────────

/** Signs internal requests; every process derives it from the shared app secret (SWITCHBOARD_SECRET). */
function internalKey(): string {
  return crypto.createHmac("sha256", getAppSecret()).update("switchboard internal runtime requests v1").digest("base64url");
}

function isInternalKey(authorization: string | undefined): boolean {
  const expected = Buffer.from(`Bearer ${internalKey()}`);
  const given = Buffer.from(authorization ?? "");
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

const envelopeSchema = z.strictObject({
  command: z.enum(Object.keys(runtimeCommands) as [CommandName, ...CommandName[]]),
  // What the sending process's own boundary (REST/tRPC zod schemas) already validated.
  input: z.record(z.string(), z.unknown()),
  ownerOnly: z.boolean(),
});

interface TransportedError {
  name: string;
  code?: string;
  message: string;
  options?: unknown;
}

/**
 * `POST /internal/runtime` of a runtime process: runs a forwarded command on this
 * process's runtime. Refused (404, as for any unknown path) without the key;
 * 421 when `ownerOnly` and this runtime does not have the call.
 */
export async function serveRuntimeCommand(authorization: string | undefined, body: string): Promise<{ status: number; body: unknown }> {
  if (!isInternalKey(authorization)) return { status: 404, body: { error: { name: "Error", message: "Not found" } } };
  let envelope: z.infer<typeof envelopeSchema>;
  try {
    envelope = envelopeSchema.parse(JSON.parse(body));
  } catch {
    return { status: 400, body: { error: { name: "Error", message: "not a runtime command" } } };
  }
  const runtime = getRuntime();
  const command = runtimeCommands[envelope.command] as unknown as RuntimeCommand<unknown, unknown>;
  if (envelope.ownerOnly && !runtimeHas(runtime, command.route(envelope.input))) return { status: 421, body: {} };
  try {
    return { status: 200, body: { result: await command.run(runtime, getDb(), envelope.input) } };
  } catch (error) {
    const transported: TransportedError =
      error instanceof Error ? { name: error.name, message: error.message, code: (error as { code?: string }).code, options: (error as { options?: unknown }).options } : { name: "Error", message: String(error) };
    return { status: 500, body: { error: transported } };
  }
}

/** The error as the receiving runtime threw it: ServiceError and PbxError are recognised by name, so they map to the same answer. */
function errorOf(transported: TransportedError | undefined): Error {
  const error = new Error(transported?.message ?? "the runtime failed");
  return Object.assign(error, { name: transported?.name ?? "Error", code: transported?.code, options: transported?.options ?? {} });
}
