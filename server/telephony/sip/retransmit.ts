/**
 * UDP loses datagrams, so SIP repeats what must arrive (RFC 3261 §17): a
 * final response to an INVITE until its ACK (timer G), a request of ours
 * until its response (timer E). Both start at T1 = 500 ms, double up to
 * T2 = 4 s, and give up after 64·T1 = 32 s.
 */
import type { Clock, TimerHandle } from "@/flows/runtime/ports";

const T1_MS = 500;
const T2_MS = 4000;
/** How long a transaction (and a finished dialog) is remembered: 64·T1. */
export const TRANSACTION_LIFETIME_MS = 64 * T1_MS;

export class Retransmission {
  private timer: TimerHandle | null = null;
  private readonly startedAt: number;

  /** Sends once now, then repeats until `stop()`; `onTimeout` when 32 s pass without it. */
  constructor(
    private readonly clock: Clock,
    private readonly send: () => void,
    private readonly onTimeout: () => void,
  ) {
    this.startedAt = clock.now();
    send();
    this.arm(T1_MS);
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(interval: number): void {
    this.timer = this.clock.setTimeout(() => {
      if (this.clock.now() - this.startedAt >= TRANSACTION_LIFETIME_MS) {
        this.timer = null;
        this.onTimeout();
        return;
      }
      this.send();
      this.arm(Math.min(interval * 2, T2_MS));
    }, interval);
  }
}
