/**
 * One 20 ms clock for every RTP stream of the edge: each tick sends the
 * frames that are due on all live sessions. One timer for all calls instead
 * of one per call keeps timer churn flat as calls grow; the schedule is kept
 * against the start time, so timer jitter does not accumulate into drift.
 * After a stall (a blocked event loop) it catches up at most a few frames
 * and then skips ahead, because a burst of late audio helps nobody.
 */
import type { Clock, TimerHandle } from "@/flows/runtime/ports";
import { FRAME_MS } from "./g711";

const MAX_CATCH_UP_FRAMES = 3;

export interface PacedStream {
  sendFrame(): void;
}

export class FramePacer {
  private readonly streams = new Set<PacedStream>();
  private timer: TimerHandle | null = null;
  private startedAt = 0;
  private framesSent = 0;

  constructor(private readonly clock: Clock) {}

  add(stream: PacedStream): void {
    this.streams.add(stream);
    if (!this.timer) {
      this.startedAt = this.clock.now();
      this.framesSent = 0;
      this.schedule();
    }
  }

  remove(stream: PacedStream): void {
    this.streams.delete(stream);
    if (this.streams.size === 0 && this.timer) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
  }

  stop(): void {
    this.streams.clear();
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    const due = this.startedAt + (this.framesSent + 1) * FRAME_MS;
    this.timer = this.clock.setTimeout(() => this.tick(), Math.max(0, due - this.clock.now()));
  }

  private tick(): void {
    const framesDue = Math.floor((this.clock.now() - this.startedAt) / FRAME_MS) - this.framesSent;
    const frames = Math.min(Math.max(framesDue, 1), MAX_CATCH_UP_FRAMES);
    for (let frame = 0; frame < frames; frame++) {
      for (const stream of this.streams) stream.sendFrame();
    }
    this.framesSent += framesDue > MAX_CATCH_UP_FRAMES ? framesDue : frames;
    this.schedule();
  }
}
