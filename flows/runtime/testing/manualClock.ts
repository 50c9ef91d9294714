/** A clock that only moves when a test (or a simulation) says so; timers fire in due order. */
import type { Clock, TimerHandle } from "@/flows/runtime/ports";

interface PendingTimer {
  id: number;
  dueAt: number;
  callback: () => void;
}

/** Earlier due time first; the same due time in scheduling order (ids grow monotonically). */
function before(a: PendingTimer, b: PendingTimer): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.id < b.id);
}

/**
 * Timers live in a binary heap with lazy cancellation, so scheduling and
 * cancelling stay O(log n) with tens of thousands of simulated calls.
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly heap: PendingTimer[] = [];
  /** Ids of timers that will still fire. */
  private readonly scheduled = new Set<number>();
  private readonly cancelled = new Set<number>();

  constructor(start: number | string = "2026-01-05T09:00:00.000Z") {
    this.current = typeof start === "number" ? start : Date.parse(start);
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, dueAt: this.current + Math.max(0, ms), callback };
    this.scheduled.add(timer.id);
    this.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    if (this.scheduled.delete(handle.id)) this.cancelled.add(handle.id);
  }

  get pendingTimers(): number {
    return this.scheduled.size;
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
    while (this.heap.length > 0 && this.cancelled.has(this.heap[0].id)) this.cancelled.delete(this.pop().id);
    const top = this.heap[0];
    return top && top.dueAt <= until ? top : undefined;
  }

  private fire(timer: PendingTimer): void {
    this.pop();
    this.scheduled.delete(timer.id);
    this.current = Math.max(this.current, timer.dueAt);
    timer.callback();
  }

  private push(timer: PendingTimer): void {
    const heap = this.heap;
    heap.push(timer);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): PendingTimer {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && before(heap[right], heap[smallest])) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
        i = smallest;
      }
    }
    return top;
  }
}

/** Lets all currently queued promise callbacks run (a macrotask turn). */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
