import { describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/adapters/system-clock.js';
import type { Deployment } from '../../shared/domain/deployment.js';
import { siteTargetSchema, parseWith } from '../../shared/domain/target.js';
import type { DeploymentStore } from '../../shared/ports/index.js';
import type { OriginSwitch } from '../../shared/ports/site.js';
import { DISTRIBUTION_POLL_SECONDS, MAX_DISTRIBUTION_CHECKS, switchSite } from '../../shared/usecases/site/switch.js';
import { rollback } from '../../shared/usecases/workflow/rollback.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';

const target = parseWith(siteTargetSchema, { name: 'www', kind: 'site', site: { bucket: 'www-bucket', prefix: 'www/', distributionId: 'E1' } }, 'target');

/** A distribution that reports InProgress for the given number of looks after each switch. */
class FakeDistribution implements OriginSwitch {
  readonly log: string[] = [];
  originPath = '/www/r1';
  private pending = 0;

  constructor(private readonly looksInProgress: number) {}

  async currentOriginPath() {
    return this.originPath;
  }
  async switchOriginPath(_id: string, _bucket: string, originPath: string) {
    if (originPath === this.originPath) return;
    this.log.push(`switch ${originPath}`);
    this.originPath = originPath;
    this.pending = this.looksInProgress;
  }
  async isDistributionDeployed() {
    const deployed = this.pending <= 0;
    this.pending -= 1;
    this.log.push(deployed ? 'Deployed' : 'InProgress');
    return deployed;
  }
}

function world(looksInProgress: number, paths: string[] = ['/index.html']) {
  const distribution = new FakeDistribution(looksInProgress);
  const deployment = {
    id: 'd-1',
    target: 'www',
    release: 'r2',
    status: 'staging',
    trigger: 's3',
    trafficPercent: 0,
    timeline: [] as { message?: string }[],
  } as unknown as Deployment;
  const messages: string[] = [];
  const deployments: DeploymentStore = {
    get: async () => deployment,
    update: async (_id, patch, entry) => {
      Object.assign(deployment, patch);
      if (entry.message) messages.push(entry.message);
      return deployment;
    },
    create: async () => {
      throw new Error('not used');
    },
    listByTarget: async () => [],
  };
  const cdn = {
    invalidate: async (_id: string, invalidated: string[], reference: string) => {
      distribution.log.push(`invalidate ${invalidated.join(',')} ${reference}`);
      return 'I1';
    },
    isInvalidationComplete: async () => true,
  };
  const sites = {
    readJson: async () => ({ paths, wildcards: 0 }),
    writeJson: async () => undefined,
    putFile: async () => undefined,
    listReleasePrefixes: async () => [],
    deletePrefix: async () => 0,
  };
  const state: WorkflowState = {
    deploymentId: 'd-1',
    target,
    site: { release: 'r2', staging: { bucket: 'artifacts', key: 'staging/www/d-1/chunks.json', chunks: 0 }, liveOriginPath: '/www/r1', liveRelease: 'r1' },
    steps: [{ percent: 100, bakeSeconds: 0 }],
    stepIndex: 0,
  };
  return { distribution, deployment, messages, deps: { deployments, origins: distribution, cdn, sites }, state };
}

describe('Function: switchSite', () => {
  it('invalidates only once the distribution is Deployed, asking the state machine to wait meanwhile', async () => {
    // Prepare
    const { deps, state, distribution, messages } = world(2);
    // Act: ShiftTraffic, WaitForDistribution, ShiftTraffic, … as the state machine runs it
    const first = await switchSite(deps, state);
    const second = await switchSite(deps, first);
    const third = await switchSite(deps, second);
    // Assess
    expect(first.site?.distribution).toEqual({ deployed: false, checks: 1, waitSeconds: DISTRIBUTION_POLL_SECONDS });
    expect(first.invalidation).toBeUndefined();
    expect(second.site?.distribution?.deployed).toBe(false);
    expect(third.site?.distribution?.deployed).toBe(true);
    expect(third.invalidation).toMatchObject({ id: 'I1', complete: false });
    expect(third.verify?.next).toBeDefined();
    expect(distribution.log).toEqual(['switch /www/r2', 'InProgress', 'InProgress', 'Deployed', 'invalidate /index.html d-1-switch-1']);
    expect(messages).toEqual([
      'origin path /www/r2; waiting for distribution E1 to be Deployed before invalidating 1 path',
      'distribution E1 is Deployed; invalidating 1 path (I1)',
    ]);
  });

  it('switches and invalidates in one step when the distribution is Deployed at once (moto)', async () => {
    const { deps, state, distribution, messages } = world(0);
    const next = await switchSite(deps, state);
    expect(next.site?.distribution?.deployed).toBe(true);
    expect(distribution.log).toEqual(['switch /www/r2', 'Deployed', 'invalidate /index.html d-1-switch-1']);
    expect(messages).toEqual(['origin path /www/r2; invalidating 1 path (I1)']);
  });

  it('does not wait when there is nothing to invalidate', async () => {
    const { deps, state, distribution } = world(5, []);
    const next = await switchSite(deps, state);
    expect(next.site?.distribution?.deployed).toBe(true);
    expect(distribution.log).toEqual(['switch /www/r2']);
  });

  it('invalidates anyway, and says so, when the distribution is still InProgress after the last look', async () => {
    // Prepare
    const { deps, state, distribution, messages } = world(1000);
    let current = state;
    // Act
    for (let look = 0; look < MAX_DISTRIBUTION_CHECKS && current.site?.distribution?.deployed !== true; look++) {
      current = await switchSite(deps, current);
    }
    // Assess
    expect(current.site?.distribution).toMatchObject({ deployed: true, checks: MAX_DISTRIBUTION_CHECKS });
    expect(distribution.log.at(-1)).toBe('invalidate /index.html d-1-switch-1');
    expect(messages.at(-1)).toBe(`distribution E1 is still InProgress after ${MAX_DISTRIBUTION_CHECKS} looks; invalidating 1 path (I1) anyway`);
    expect(messages).toHaveLength(2);
  });
});

describe('Function: rollback (a switched site)', () => {
  function switched(looksInProgress: number) {
    const w = world(looksInProgress);
    w.distribution.originPath = '/www/r2';
    Object.assign(w.deployment, { status: 'verifying', trafficPercent: 100 });
    const deps = {
      ...w.deps,
      targets: { get: async () => target, put: async () => undefined, list: async () => [] },
      locks: { acquire: async () => true, release: async () => undefined, holder: async () => undefined },
      aliases: {} as never,
      switchBackWait: { timeoutMs: 200, intervalMs: 20 },
      // The wait sleeps for real, so its deadline is read off the system clock.
      clock: systemClock,
    };
    const state: WorkflowState = { ...w.state, error: { Error: 'UnhealthyReleaseError', Cause: 'probe failed' } };
    return { ...w, deps, state };
  }

  it('switches back and waits for the distribution to be Deployed before invalidating', async () => {
    // Prepare
    const { deps, state, distribution, deployment } = switched(3);
    // Act
    await rollback(deps, state);
    // Assess
    expect(distribution.log).toEqual(['switch /www/r1', 'InProgress', 'InProgress', 'InProgress', 'Deployed', 'invalidate /index.html d-1-rollback-1']);
    expect(deployment.status).toBe('rolled_back');
    expect(deployment.reason).toContain('origin path restored to /www/r1; 1 path invalidated');
    expect(deployment.reason).not.toContain('before distribution');
  });

  it('invalidates when its wait is spent and says the invalidation may have come too early', async () => {
    const { deps, state, distribution, deployment } = switched(1000);
    await rollback(deps, state);
    expect(distribution.log.at(-1)).toBe('invalidate /index.html d-1-rollback-1');
    expect(deployment.reason).toContain('invalidated before distribution E1 was Deployed');
    expect(deployment.reason).toContain('invalidate /index.html again once it is');
  });
});
