/**
 * Live data by polling with conditional requests: each tick sends the last ETag, and a `304`
 * leaves the state (and the page) as it is. One request at a time; a hidden tab does not poll.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Conditional } from './api';

/** How often the overview and a deployment page ask: well within the 2 s the page promises. */
export const POLL_MS = 1000;

export interface Polled<T> {
  data: T | undefined;
  error: string | undefined;
  /** Ask now (after an action), not at the next tick. */
  refresh(): void;
}

export function usePolled<T>(read: (etag: string | undefined) => Promise<Conditional<T>>, deps: unknown[], everyMs = POLL_MS): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const tick = useRef<() => void>(() => undefined);
  useEffect(() => {
    let etag: string | undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    setData(undefined);
    const run = async () => {
      if (stopped || inFlight) return;
      clearTimeout(timer);
      if (document.visibilityState === 'hidden') {
        timer = setTimeout(run, everyMs);
        return;
      }
      inFlight = true;
      try {
        const answer = await read(etag);
        if (!stopped && !answer.unchanged) {
          etag = answer.etag;
          setData(answer.data);
        }
        if (!stopped) setError(undefined);
      } catch (e) {
        if (!stopped) setError((e as Error).message);
      } finally {
        inFlight = false;
        if (!stopped) timer = setTimeout(run, everyMs);
      }
    };
    tick.current = () => void run();
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, deps);
  return { data, error, refresh: () => tick.current() };
}
