/** A clock that only moves when a test says so; timers fire in due order. */
import type { Clock, TimerHandle } from "@/flows/runtime/ports";

interface PendingTimer {
  id: number;
  dueAt: number;
  callback: () => void;
}

export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: PendingTimer[] = [];

  constructor(start: number | string = "2026-01-05T09:00:00.000Z") {
    this.current = typeof start === "number" ? start : Date.parse(start);
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, dueAt: this.current + Math.max(0, ms), callback };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle.id);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward, firing every timer due on the way (also ones scheduled by those timers). */
  advance(ms: number): void {
    const target = this.current + ms;
    for (let timer = this.nextDue(target); timer; timer = this.nextDue(target)) this.fire(timer);
    this.current = target;
  }

  /** Like `advance`, but lets awaiting code react (promise callbacks run) before and after each timer. */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushPromises();
    for (let timer = this.nextDue(target); timer; timer = this.nextDue(target)) {
      this.fire(timer);
      await flushPromises();
    }
    this.current = target;
  }

  /** Fires all pending timers in order, jumping time to each; stops after `limit` timers (a timer that reschedules forever). */
  runAll(limit = 10_000): void {
    for (let fired = 0; fired < limit; fired++) {
      const timer = this.nextDue(Number.POSITIVE_INFINITY);
      if (!timer) return;
      this.fire(timer);
    }
    throw new Error(`runAll: more than ${limit} timers fired`);
  }

  private nextDue(until: number): PendingTimer | undefined {
    let earliest: PendingTimer | undefined;
    for (const timer of this.timers) {
      // Same due time: scheduling order (ids grow monotonically).
      if (timer.dueAt <= until && (!earliest || timer.dueAt < earliest.dueAt)) earliest = timer;
    }
    return earliest;
  }

  private fire(timer: PendingTimer): void {
    this.timers = this.timers.filter((candidate) => candidate !== timer);
    this.current = Math.max(this.current, timer.dueAt);
    timer.callback();
  }
}

/** Lets all currently queued promise callbacks run (a macrotask turn). */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
