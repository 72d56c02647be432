import type { Clock } from '../../shared/ports/index.js';

/** A clock a test moves by hand: it shows `start` until `advance` or `set` moves it. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(at: Date | string): void;
}

export function manualClock(start: Date | string): ManualClock {
  let at = new Date(start).getTime();
  return {
    now: () => new Date(at),
    advance: (ms) => {
      at += ms;
    },
    set: (to) => {
      at = new Date(to).getTime();
    },
  };
}
