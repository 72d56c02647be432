import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/domain/deployment.js';
import { functionTargetSchema, type Target } from '../../shared/domain/target.js';
import { windowClosed, windowGate, type WindowGateDeps } from '../../shared/usecases/workflow/window-gate.js';

const NOW = new Date('2026-11-30T01:30:00Z'); // Monday 02:30 in Berlin: inside the nightly window

function deployment(fields: Partial<Deployment> = {}): Deployment {
  return {
    id: 'd-1',
    target: 'nightly',
    release: 'r2',
    status: 'queued',
    trigger: 's3',
    requestedAt: NOW.toISOString(),
    startedAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    trafficPercent: 0,
    timeline: [],
    ...fields,
  };
}

function target(window: Record<string, unknown>): Target {
  return functionTargetSchema.parse({ name: 'nightly', kind: 'function', function: { name: 'nightly' }, window: { timezone: 'Europe/Berlin', ...window } });
}

const nightly = { allow: [{ cron: '0 2 * * 1-5', durationMinutes: 180 }] };

function deps(current?: number, at = NOW): WindowGateDeps & { reads: number } {
  const result = {
    reads: 0,
    windowCheckSeconds: 60,
    clock: { now: () => at },
    metrics: {
      currentPerMinute: async () => {
        result.reads += 1;
        return current;
      },
    },
  };
  return result;
}

describe('Function: windowGate', () => {
  it('opens inside the window and says until when', async () => {
    expect(await windowGate(deps(), deployment(), target(nightly))).toEqual({
      open: true,
      note: 'deploy window open until 2026-11-30 05:00 GMT+1 (2026-11-30 04:00 UTC)',
    });
  });

  it('waits outside the window for at most the check interval, knowing when it starts', async () => {
    const gate = await windowGate(deps(undefined, new Date('2026-11-27T12:00:00Z')), deployment(), target(nightly));
    expect(gate).toMatchObject({ open: false, waitSeconds: 60, startsAt: '2026-11-30T01:00:00.000Z' });
    expect(gate.open ? '' : gate.reason).toBe(
      'waiting for the deploy window: outside the allowed windows; starts 2026-11-30 02:00 GMT+1 (2026-11-30 01:00 UTC)',
    );
  });

  it('keeps an open window shut while traffic is above maxRequestsPerMinute, and opens below it', async () => {
    const busy = deps(900);
    const gate = await windowGate(busy, deployment(), target({ ...nightly, maxRequestsPerMinute: 500 }));
    expect(gate).toMatchObject({
      open: false,
      waitSeconds: 60,
      reason: 'window open but traffic is above its maxRequestsPerMinute 500',
      message: 'window open but traffic is 900 requests/min, above its maxRequestsPerMinute 500',
    });
    // The reason carries no live count, so the next tick (other traffic) gives the same reason and no new timeline entry.
    const later = await windowGate(deps(1_200), deployment(), target({ ...nightly, maxRequestsPerMinute: 500 }));
    expect(later.open ? '' : later.reason).toBe(gate.open ? 'open' : gate.reason);
    expect(busy.reads).toBe(1);
    expect((await windowGate(deps(120), deployment(), target({ ...nightly, maxRequestsPerMinute: 500 }))).open).toBe(true);
    expect((await windowGate(deps(undefined), deployment(), target({ ...nightly, maxRequestsPerMinute: 500 }))).open).toBe(true);
  });

  it('holds a jittered start planned while waiting, inside the opening', async () => {
    const planned = deployment({ startsAt: new Date(NOW.getTime() + 90_000).toISOString() });
    expect(await windowGate(deps(), planned, target({ ...nightly, jitterSeconds: 600 }))).toMatchObject({
      open: false,
      waitSeconds: 60,
      startsAt: planned.startsAt,
    });
    const later = await windowGate(deps(undefined, new Date(NOW.getTime() + 91_000)), planned, target({ ...nightly, jitterSeconds: 600 }));
    expect(later.open).toBe(true);
  });

  it('waits for notBefore, also without a window, and refuses one past what a deployment can wait', async () => {
    const notBefore = new Date(NOW.getTime() + 30_000).toISOString();
    expect(await windowGate(deps(), deployment({ notBefore }), functionTargetSchema.parse({ name: 'n', kind: 'function', function: { name: 'n' } }))).toEqual({
      open: false,
      waitSeconds: 30,
      reason: `scheduled for ${notBefore}`,
      startsAt: notBefore,
    });
    const tooLate = new Date(NOW.getTime() + 400 * 86_400_000).toISOString();
    await expect(windowGate(deps(), deployment({ notBefore: tooLate }), target(nightly))).rejects.toMatchObject({ name: 'WindowError' });
  });

  it('lets rollbacks and promoted (break-glass) deployments through at once', async () => {
    const closed = deps(undefined, new Date('2026-11-27T12:00:00Z'));
    expect((await windowGate(closed, deployment({ trigger: 'rollback' }), target(nightly))).open).toBe(true);
    expect(await windowGate(closed, deployment({ startNowAt: NOW.toISOString(), startNowBy: 'alice', startNowReason: 'hotfix' }), target(nightly))).toEqual({
      open: true,
      note: 'started by promote from alice: hotfix, despite the window',
    });
  });
});

describe('Function: windowClosed', () => {
  it("reports the target's onClose policy once the window closed, and nothing while it is open", () => {
    const t = target({ ...nightly, onClose: 'pause' });
    expect(windowClosed(deployment(), t, NOW)).toEqual({ closed: false });
    expect(windowClosed(deployment(), t, new Date('2026-11-30T04:30:00Z'))).toEqual({
      closed: true,
      policy: 'pause',
      reason: 'outside the allowed windows',
      reopensAt: new Date('2026-12-01T01:00:00Z'),
    });
    expect(windowClosed(deployment({ startNowAt: NOW.toISOString() }), t, new Date('2026-11-30T04:30:00Z'))).toEqual({ closed: false });
  });
});
