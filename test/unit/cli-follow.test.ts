import { describe, expect, it } from 'vitest';
import { deploymentView } from '../support/deployment-view.js';
import type { DeploymentView } from '../../shared/domain/deployment.js';
import { ApiUnreachableError } from '../../cli/api-client.js';
import { CliError } from '../../cli/errors.js';
import { exitCodeFor, followDeployment, type ProgressEvent } from '../../cli/follow.js';

const view = (overrides: Partial<DeploymentView> = {}): DeploymentView => deploymentView({ fromVersion: null, ...overrides });

/** Answers each poll with the next item; the last one repeats. */
function pollsOf(...answers: (DeploymentView | undefined | Error)[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async getDeployment(): Promise<DeploymentView | undefined> {
      const answer = answers[Math.min(calls++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

const noSleep = async () => {};

describe('Function: followDeployment', () => {
  it('waits through "not found" while intake picks the upload up, then follows to succeeded', async () => {
    // Prepare
    const t0 = { at: '2026-11-26T21:15:00.100Z', step: 'intake', status: 'queued' as const, message: 'uploaded' };
    const t1 = { at: '2026-11-26T21:15:00.400Z', step: 'stage', status: 'staging' as const, message: 'published version 2' };
    const t2 = { at: '2026-11-26T21:15:00.600Z', step: 'shift', trafficPercent: 50 };
    const client = pollsOf(
      undefined,
      undefined,
      view({ timeline: [t0] }),
      view({ status: 'shifting', trafficPercent: 50, timeline: [t0, t1, t2] }),
      view({ status: 'succeeded', trafficPercent: 100, fromVersion: '1', toVersion: '2', timeline: [t0, t1, t2] }),
    );
    const events: ProgressEvent[] = [];

    // Act
    const final = await followDeployment(client, 'd-1', { sleep: noSleep, onProgress: (e) => events.push(e) });

    // Assess
    expect(final.status).toBe('succeeded');
    expect(exitCodeFor(final.status)).toBe(0);
    expect(client.calls).toBe(5);
    expect(events.map((e) => (e.kind === 'timeline' ? `timeline:${e.entry.step}` : `${e.kind}:${e.kind === 'status' ? e.status : e.trafficPercent}`))).toEqual([
      'timeline:intake',
      'timeline:stage',
      'timeline:shift',
      'status:shifting',
      'status:succeeded',
      'traffic:100',
    ]);
  });

  it('polls every 500 ms by default', async () => {
    // Prepare
    const waits: number[] = [];
    const client = pollsOf(view(), view({ status: 'succeeded' }));

    // Act
    await followDeployment(client, 'd-1', { sleep: async (ms) => void waits.push(ms) });

    // Assess
    expect(waits).toEqual([500]);
  });

  it.each(['rolled_back', 'failed', 'cancelled', 'superseded'] as const)('ends on %s with exit code 1', async (status) => {
    // Prepare
    const client = pollsOf(view({ status: 'shifting' }), view({ status, reason: 'alarm hello-canary-errors is in ALARM' }));

    // Act
    const final = await followDeployment(client, 'd-1', { sleep: noSleep });

    // Assess
    expect(final.status).toBe(status);
    expect(exitCodeFor(final.status)).toBe(1);
  });

  it('gives up when the deployment never appears', async () => {
    // Prepare
    let clock = 0;
    const client = pollsOf(undefined);

    // Act
    const error = await followDeployment(client, 'd-1', {
      sleep: async (ms) => {
        clock += ms;
      },
      now: () => clock,
      appearWithinMs: 5000,
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(/did not appear within 5s/);
    expect(client.calls).toBe(12);
  });

  it('rides out a short API outage but not a long one', async () => {
    // Prepare
    const outage = new ApiUnreachableError('http://127.0.0.1:4000', '.slipway/dev.json', new TypeError('fetch failed'));
    const brief = pollsOf(view(), outage, outage, view({ status: 'succeeded' }));
    const long = pollsOf(view(), outage);

    // Act
    const final = await followDeployment(brief, 'd-1', { sleep: noSleep, maxFailedPolls: 3 });
    const error = await followDeployment(long, 'd-1', { sleep: noSleep, maxFailedPolls: 3 }).catch((e: unknown) => e);

    // Assess
    expect(final.status).toBe('succeeded');
    expect(error).toBe(outage);
    expect(long.calls).toBe(4);
  });

  it('polls every 5 s while the deployment waits for its window, and at its expected start when that is sooner', async () => {
    // Prepare
    let clock = Date.parse('2026-11-26T21:15:00.000Z');
    const waits: number[] = [];
    const client = pollsOf(
      view({ status: 'waiting', startsAt: null }),
      view({ status: 'waiting', startsAt: '2026-11-26T21:15:07.000Z' }),
      view({ status: 'waiting', startsAt: '2026-11-26T21:15:07.000Z' }),
      view({ status: 'staging' }),
      view({ status: 'succeeded' }),
    );

    // Act
    await followDeployment(client, 'd-1', {
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
      now: () => clock,
    });

    // Assess: 5 s with no start known, 2 s to 21:15:07, then at least the usual interval
    expect(waits).toEqual([5000, 2000, 500, 500]);
  });
});
