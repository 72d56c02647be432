/** Deployment records as the API answers them, for the dashboard's tests. */
import type { Deployment, TimelineEntry } from '../../web/src/types';

export function deployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: 'd-1',
    target: 'hello',
    release: 'r2',
    status: 'succeeded',
    trigger: 's3',
    fromVersion: '1',
    toVersion: '2',
    trafficPercent: 100,
    requestedAt: '2026-12-04T10:00:00.000Z',
    startedAt: '2026-12-04T10:00:00.000Z',
    endedAt: '2026-12-04T10:00:10.000Z',
    reason: null,
    sha256: 'ab'.repeat(32),
    timeline: [],
    ...overrides,
  };
}

export const entry = (at: string, step: string, more: Partial<TimelineEntry> = {}): TimelineEntry => ({ at: `2026-12-04T10:00:${at}.000Z`, step, ...more });
