import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/domain/deployment.js';
import { summarizeTarget, windowSummary } from '../../shared/domain/target-summary.js';
import { parseWith, targetSchema, type Target } from '../../shared/domain/target.js';
import { windowSchema } from '../../shared/domain/window.js';
import { SUMMARY_HISTORY, summarizeTargets } from '../../shared/usecases/summary.js';
import { landedRecord } from '../support/deployment-view.js';

const now = new Date('2026-12-04T12:00:00Z');
const fn = parseWith(targetSchema, { name: 'api', kind: 'function', function: { name: 'api' } }, 'target') as Target;
const site = parseWith(targetSchema, { name: 'www', kind: 'site', site: { bucket: 'www-origin', distributionId: 'E1ABCDEF' } }, 'target') as Target;

let n = 0;
function record(fields: Partial<Deployment>): Deployment {
  n += 1;
  const at = fields.requestedAt ?? new Date(Date.UTC(2026, 11, 1) + n * 60_000).toISOString();
  return landedRecord(`r${n}`, { id: `d-${n}`, target: 'api', ...fields }, at);
}

describe('summarizeTarget', () => {
  it('shows a rollback as live with its older version, and the rollback as the last deployment', () => {
    // Prepare: newest first, as the store lists them.
    const rollback = record({
      release: 'r2',
      trigger: 'rollback',
      fromVersion: '3',
      toVersion: '2',
      endedAt: '2026-12-03T10:00:00Z',
      requestedBy: 'arn:aws:iam::1:user/bo',
    });
    const bad = record({ release: 'r3', toVersion: '3', endedAt: '2026-12-02T10:00:00Z' });
    // Act
    const summary = summarizeTarget({ target: fn, recent: [rollback, bad], downstream: [], now });
    // Assess
    expect(summary.live).toEqual({ release: 'r2', version: '2', since: '2026-12-03T10:00:00Z', by: 'arn:aws:iam::1:user/bo', deploymentId: rollback.id });
    expect(summary.traffic).toEqual({ stable: { version: '2', percent: 100 } });
    expect(summary.lastDeployment).toMatchObject({ id: rollback.id, trigger: 'rollback', fromVersion: '3', toVersion: '2' });
    expect(summary.running).toBeNull();
    expect(summary.promotion).toBeUndefined();
  });

  it('prefers the deployment moving traffic over one queued behind it, and splits traffic by its percent', () => {
    // Prepare
    const live = record({ toVersion: '4', endedAt: '2026-12-01T00:00:00Z' });
    const shifting = record({ status: 'shifting', fromVersion: '4', toVersion: '5', trafficPercent: 25 });
    const queued = record({ status: 'queued', trafficPercent: 0 });
    // Act
    const summary = summarizeTarget({ target: fn, recent: [queued, shifting, live], downstream: [], now });
    // Assess
    expect(summary.running).toMatchObject({ id: shifting.id, status: 'shifting', trafficPercent: 25 });
    expect(summary.traffic).toEqual({ stable: { version: '4', percent: 75 }, canary: { version: '5', percent: 25 } });
  });

  it("names a site's live release prefix, and takes a live release older than the recent page when given", () => {
    // Prepare
    const older = record({ target: 'www', release: 'home-7', toVersion: 'home-7', endedAt: '2026-11-01T00:00:00Z' });
    const failed = record({ target: 'www', status: 'failed', endedAt: '2026-12-02T00:00:00Z', reason: 'the zip is corrupt' });
    // Act
    const summary = summarizeTarget({ target: site, recent: [failed], olderLive: older, downstream: [], now });
    // Assess
    expect(summary.live).toMatchObject({ release: 'home-7', siteRelease: 'home-7' });
    expect(summary.live).not.toHaveProperty('version');
    expect(summary.lastDeployment).toMatchObject({ status: 'failed', reason: 'the zip is corrupt' });
  });

  it('places a target in its chain with the promotions awaiting approval, oldest first', () => {
    // Prepare
    const production = { ...fn, name: 'prod', promotion: { from: 'staging', soakSeconds: 0, approval: 'required' as const, auto: false } };
    const a = record({ target: 'prod', status: 'waiting', approval: { state: 'pending' }, requestedAt: '2026-12-01T01:00:00Z' });
    const b = record({ target: 'prod', status: 'waiting', approval: { state: 'pending' }, requestedAt: '2026-12-02T01:00:00Z' });
    // Act
    const summary = summarizeTarget({ target: production, recent: [b, a], downstream: ['eu', 'dr'], now });
    // Assess
    expect(summary.promotion).toEqual({
      from: 'staging',
      to: ['dr', 'eu'],
      waiting: [
        { deploymentId: a.id, release: a.release, since: a.requestedAt },
        { deploymentId: b.id, release: b.release, since: b.requestedAt },
      ],
    });
    expect(summary.running).toBeNull();
  });
});

describe('windowSummary', () => {
  const window = (fields: Record<string, unknown>) => parseWith(windowSchema, { timezone: 'Europe/Berlin', ...fields }, 'window');

  it('is open until the period closes, closed until it opens, frozen until the freeze ends, none without a window', () => {
    // Weekdays 09:00-17:00 Berlin (08:00-16:00 UTC in December); now is Friday 12:00 UTC.
    const weekdays = { allow: [{ cron: '0 9 * * 1-5', durationMinutes: 480 }] };
    expect(windowSummary(window(weekdays), now)).toEqual({ state: 'open', until: '2026-12-04T16:00:00.000Z', timeZone: 'Europe/Berlin' });
    expect(windowSummary(window(weekdays), new Date('2026-12-05T12:00:00Z'))).toEqual({
      state: 'closed',
      until: '2026-12-07T08:00:00.000Z',
      timeZone: 'Europe/Berlin',
    });
    const frozen = { ...weekdays, deny: [{ from: '2026-12-04T00:00', to: '2026-12-04T15:00', reason: 'release freeze' }] };
    expect(windowSummary(window(frozen), now)).toEqual({
      state: 'frozen',
      until: '2026-12-04T14:00:00.000Z',
      timeZone: 'Europe/Berlin',
      reason: 'release freeze',
    });
    expect(windowSummary(undefined, now)).toEqual({ state: 'none' });
  });
});

describe('summarizeTargets', () => {
  it('reads one page per target, and the newest success apart only where the page holds none', async () => {
    // Prepare: api's page is all failures; www has a success in its page.
    const failures = Array.from({ length: SUMMARY_HISTORY }, () => record({ status: 'failed', endedAt: '2026-12-03T00:00:00Z' }));
    const oldSuccess = record({ toVersion: '1', endedAt: '2026-01-01T00:00:00Z' });
    const reads: string[] = [];
    const deps = {
      targets: { list: async () => [site, fn] },
      deployments: {
        listByTarget: async (target: string) => {
          reads.push(`page ${target}`);
          return target === 'api' ? failures : [record({ target: 'www', endedAt: '2026-12-01T00:00:00Z' })];
        },
      },
      history: {
        listPage: async (query: { target?: string }) => {
          reads.push(`success ${query.target}`);
          return { deployments: [oldSuccess] };
        },
      },
      clock: { now: () => now },
    };
    // Act
    const summaries = await summarizeTargets(deps);
    // Assess
    expect(summaries.map((s) => s.name)).toEqual(['api', 'www']);
    expect(summaries[0]?.live).toMatchObject({ version: '1', deploymentId: oldSuccess.id });
    expect(reads.sort()).toEqual(['page api', 'page www', 'success api']);
  });
});
