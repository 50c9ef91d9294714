import { FrozenEvent } from "./events";

/**
 * Frozen payloads of the messages this process queued recently, so the
 * delivery worker does not read each one back from SQLite (copying a CDR's
 * JSON out of the database was a sixth of a delivery's database time). A
 * payload never changes once written, so an entry is never stale; one whose
 * transaction rolled back is simply never asked for. Bounded by size, oldest
 * first out; a miss (after a restart, a long backlog, another process's
 * message) reads the row as before.
 */
export class PayloadCache {
  private readonly entries = new Map<string, FrozenEvent>();
  private chars = 0;

  constructor(private readonly maxChars = 8 * 1024 * 1024) {}

  set(messageId: string, event: FrozenEvent): void {
    if (event.raw.length > this.maxChars) return;
    this.entries.set(messageId, event);
    this.chars += event.raw.length;
    for (const [id, oldest] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(id);
      this.chars -= oldest.raw.length;
    }
  }

  get(messageId: string): FrozenEvent | undefined {
    return this.entries.get(messageId);
  }
}
