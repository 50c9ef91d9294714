import type { Clock } from "@/flows/runtime/ports";

/**
 * Per-endpoint breaker for look-ups: after `threshold` failures in a row the
 * CRM is not asked for `openMs` (calls take the fallback at once); then one
 * trial request decides whether it closes again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private trialInFlight = false;

  constructor(
    private readonly clock: Clock,
    private readonly threshold = 5,
    private readonly openMs = 30_000,
  ) {}

  get state(): "closed" | "open" | "half_open" {
    if (this.failures < this.threshold) return "closed";
    return this.clock.now() < this.openUntil ? "open" : "half_open";
  }

  /** May a request go out now? In half-open state only one trial at a time. */
  allow(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "open" || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
  }

  failure(): void {
    this.failures++;
    this.trialInFlight = false;
    if (this.failures >= this.threshold) this.openUntil = this.clock.now() + this.openMs;
  }
}
