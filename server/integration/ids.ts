import crypto from "node:crypto";
import { ulid } from "ulid";
import { idPrefixes } from "@/lib/ids";

/**
 * Ids for the outbox's hot path (`msg_<ulid>`, `dlv_<ulid>`), same format as
 * `newId`. ulid's default generator asks the OS for randomness once per
 * character (~40 µs an id here); these draw from a pooled buffer instead.
 */
const pool = Buffer.alloc(4096);
let offset = pool.length;

function pooledRandom(): number {
  if (offset >= pool.length) {
    crypto.randomFillSync(pool);
    offset = 0;
  }
  // A byte / 256 is uniform over 256 steps, which ulid maps evenly onto its 32 characters.
  return pool[offset++] / 256;
}

export function outboxId(kind: "message" | "delivery"): string {
  return `${idPrefixes[kind]}_${ulid(undefined, pooledRandom)}`;
}
