import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/domain/deployment.js';
import { UnhealthyReleaseError } from '../../shared/domain/errors.js';
import { appTargetSchema, parseWith, type AppTarget } from '../../shared/domain/target.js';
import type { AliasRouter, DeploymentStore, HealthSignals } from '../../shared/ports/index.js';
import { shiftApp, type ShiftAppDeps } from '../../shared/usecases/app/shift-app.js';
import { checkHealth, type CheckHealthDeps } from '../../shared/usecases/workflow/check-health.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';

const app: AppTarget = parseWith(
  appTargetSchema,
  {
    name: 'shop',
    kind: 'app',
    components: {
      api: { function: { name: 'shop-api', alias: 'live' } },
      worker: { function: { name: 'shop-worker', alias: 'live' }, health: { alarms: ['worker-errors'] } },
      jobs: { function: { name: 'shop-jobs', alias: 'live' } },
      web: { site: { bucket: 'shop-web', prefix: 'web/', distributionId: 'E2QWRUHAPOMQZL' }, health: { probe: { url: 'https://shop.example.com/' } } },
    },
    strategy: { type: 'canary', percent: 10, bakeSeconds: 60 },
    health: { alarms: ['shop-5xx'], pollSeconds: 30 },
  },
  'target',
);

function world(deployment: Partial<Deployment> = {}) {
  const record = { id: 'd-1', target: 'shop', release: 'r2', status: 'deploying', trafficPercent: 0, timeline: [], ...deployment } as unknown as Deployment;
  const moves: { fn: string; routing: unknown }[] = [];
  const switches: string[] = [];
  const messages: string[] = [];
  const aliases = {
    getAlias: async () => {
      throw new Error('not read: the revision is known');
    },
    updateAlias: async (fn: string, _alias: string, routing: unknown) => {
      moves.push({ fn, routing });
      return { version: '1', revisionId: `rev-${moves.length}` };
    },
  } as unknown as AliasRouter;
  const deployments = {
    get: async () => record,
    update: async (_id: string, _patch: unknown, entry: { message?: string }) => {
      messages.push(entry.message ?? '');
      return record;
    },
  } as unknown as DeploymentStore;
  let deployed = true;
  const deps: ShiftAppDeps = {
    deployments,
    aliases,
    clock: { now: () => new Date('2026-12-04T00:00:00Z') },
    origins: {
      switchOriginPath: async (_d: string, _b: string, path: string) => {
        switches.push(path);
      },
      isDistributionDeployed: async () => deployed,
    },
    cdn: { invalidate: async () => 'I1' },
    sites: { readJson: async () => ({ paths: ['/index.html'], wildcards: 0 }) },
  };
  return { deps, moves, switches, messages, setDeployed: (d: boolean) => (deployed = d) };
}

const state = (stepIndex: number): WorkflowState => ({
  deploymentId: 'd-1',
  target: app,
  steps: [
    { percent: 10, bakeSeconds: 60 },
    { percent: 100, bakeSeconds: 0 },
  ],
  stepIndex,
  site: { release: 'r2', version: 'r2', staging: { bucket: 'a', key: 'k', chunks: 1 }, liveOriginPath: '/web/r1', liveRelease: 'r1' },
  app: {
    functions: {
      api: { function: 'shop-api', present: true, changed: true, fromVersion: '3', toVersion: '4', aliasRevision: 'a' },
      worker: { function: 'shop-worker', present: true, changed: true, fromVersion: '7', toVersion: '8', aliasRevision: 'w' },
      jobs: { function: 'shop-jobs', present: false, changed: false, fromVersion: '2', toVersion: '2', aliasRevision: 'j' },
    },
    site: { component: 'web', changed: true },
    siteSwitchAt: 1,
  },
});

describe('Apps: the lockstep shift', () => {
  it('moves every changed function to the same weight, leaves the unchanged one and the site alone before the last step', async () => {
    // Prepare
    const { deps, moves, switches } = world();
    // Act
    const next = await shiftApp(deps, state(0), app);
    // Assess
    expect(moves).toEqual([
      { fn: 'shop-api', routing: { version: '3', additional: { version: '4', weight: 0.1 } } },
      { fn: 'shop-worker', routing: { version: '7', additional: { version: '8', weight: 0.1 } } },
    ]);
    expect(switches).toEqual([]);
    expect(next.app?.functions.api?.aliasRevision).toBe('rev-1');
    // One health interval per 30 s over the 60 s bake, the app's and the components' signals together
    expect(next.verify).toMatchObject({ next: 'bake' });
    expect(next.stepIndex).toBe(0);
  });

  it('switches the site at the last step, after the functions, and waits for the distribution without moving them again', async () => {
    // Prepare: the distribution is still rolling out the first time
    const { deps, moves, switches, setDeployed } = world();
    setDeployed(false);
    // Act
    const waiting = await shiftApp(deps, state(1), app);
    setDeployed(true);
    const done = await shiftApp(deps, waiting, app);
    // Assess
    expect(moves.map((m) => [m.fn, m.routing])).toEqual([
      ['shop-api', { version: '4' }],
      ['shop-worker', { version: '8' }],
    ]);
    expect(switches).toEqual(['/web/r2', '/web/r2']);
    expect(waiting.site?.distribution?.deployed).toBe(false);
    expect(done.app?.site?.switched).toBe(true);
    expect(done.invalidation).toMatchObject({ id: 'I1', complete: false });
    expect(done.target).toBe(app);
  });

  it('goes straight to 100% and switches the site when the deployment was promoted', async () => {
    // Prepare
    const { deps, moves, switches } = world({ promotedAt: '2026-12-04T00:00:00Z' });
    // Act
    const next = await shiftApp(deps, state(0), app);
    // Assess
    expect(moves.every((m) => JSON.stringify(m.routing).includes('additional') === false)).toBe(true);
    expect(switches).toEqual(['/web/r2']);
    expect(next.verify?.next).toBe('done');
  });
});

describe('Apps: one verdict', () => {
  function healthDeps(firing: string[], probeFailure?: string): CheckHealthDeps & { asked: string[][] } {
    const asked: string[][] = [];
    const health: HealthSignals = {
      alarmsFiring: async (names) => {
        asked.push(names);
        return names.filter((n) => firing.includes(n));
      },
      probe: async () => (probeFailure ? { failure: probeFailure } : {}),
    };
    const record = { id: 'd-1', target: 'shop', status: 'shifting', trafficPercent: 10, timeline: [] } as unknown as Deployment;
    return {
      asked,
      deployments: { get: async () => record, update: async () => record } as unknown as DeploymentStore,
      health,
      cdn: { isInvalidationComplete: async () => true },
      sites: { readJson: async () => undefined },
      clock: { now: () => new Date('2026-12-04T00:00:00Z') },
    };
  }
  const baking = { ...state(0), verify: { next: 'bake' as const, waitSeconds: 30, remainingChecks: 1 } };

  it('looks at the app’s and every component’s alarms at once, and names the component whose alarm fired', async () => {
    // Prepare
    const deps = healthDeps(['worker-errors']);
    // Act
    const outcome = checkHealth(deps, baking);
    // Assess
    await expect(outcome).rejects.toThrow(UnhealthyReleaseError);
    await expect(outcome).rejects.toThrow('alarm "worker-errors" of component "worker" went to ALARM during the bake');
    expect(deps.asked).toEqual([['shop-5xx', 'worker-errors']]);
  });

  it('names the app when its own alarm fired, and the component whose probe failed', async () => {
    await expect(checkHealth(healthDeps(['shop-5xx']), baking)).rejects.toThrow('alarm "shop-5xx" of app "shop"');
    await expect(checkHealth(healthDeps([], 'https://shop.example.com/ answered 503'), baking)).rejects.toThrow(
      'the probe of component "web" failed: https://shop.example.com/ answered 503',
    );
  });

  it('passes when every signal is healthy', async () => {
    const next = await checkHealth(healthDeps([]), baking);
    expect(next.verify).toMatchObject({ next: 'shift', checks: 1 });
  });
});
