import type { Clock, TimerHandle } from "@/flows/runtime/ports";

/** The real clock, for production wiring only; everything else takes a `Clock`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    return { id: Number(timer) } satisfies TimerHandle;
  },
  clearTimeout(handle) {
    clearTimeout(handle.id);
  },
};
