import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/domain/deployment.js';
import { candidates, choose, promotionLoop, promotionSchema } from '../../shared/domain/promotion.js';
import { landedRecord } from '../support/deployment-view.js';

const T0 = Date.parse('2026-06-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function landed(release: string, endedAfter: number, fields: Partial<Deployment> = {}): Deployment {
  return landedRecord(release, {
    id: `d-${release}-${endedAfter}`,
    target: 'api-staging',
    requestedAt: at(endedAfter - 10),
    startedAt: at(endedAfter - 10),
    updatedAt: at(endedAfter),
    endedAt: at(endedAfter),
    sha256: `${release}-sha`.padEnd(64, '0'),
    artifact: { bucket: 'art', key: `releases/api-staging/${release}.zip` },
    ...fields,
  });
}

describe('promotion eligibility', () => {
  it('a release is eligible once it stayed live for the soak, soaking before', () => {
    const history = [landed('r1', 0)];
    expect(candidates('api-staging', history, 600, new Date(T0 + 599_000))[0]).toMatchObject({ release: 'r1', state: 'soaking', eligibleAt: at(600) });
    expect(candidates('api-staging', history, 600, new Date(T0 + 600_000))[0]).toMatchObject({ release: 'r1', state: 'eligible' });
  });

  it('a release rolled back upstream is never eligible, even after the soak', () => {
    const history = [landed('r1', 0), landed('r2', 100), landed('r1', 5000, { trigger: 'rollback', id: 'd-rb' })];
    const list = candidates('api-staging', history, 60, new Date(T0 + 10_000_000));
    expect(list.find((c) => c.release === 'r2')).toMatchObject({ state: 'rolled_back' });
    expect(list.find((c) => c.release === 'r1')).toMatchObject({ state: 'eligible' });
  });

  it('a release replaced before its soak was over did not pass; one replaced after it did', () => {
    const history = [landed('r1', 0), landed('r2', 1000), landed('r3', 1100)];
    const list = candidates('api-staging', history, 500, new Date(T0 + 1_200_000));
    expect(list.map((c) => [c.release, c.state])).toEqual([
      ['r3', 'soaking'],
      ['r2', 'replaced'],
      ['r1', 'eligible'],
    ]);
    expect(choose('api-staging', list)).toMatchObject({ candidate: { release: 'r1' } });
    expect(choose('api-staging', list, 'r2').candidate).toBeUndefined();
    expect(choose('api-staging', list, 'r2').why).toMatch(/replaced on api-staging .* before its 500 s soak/);
  });

  it('failed and rolled_back deployments do not count, and a configuration change keeps the period going', () => {
    const history = [
      landed('r1', 0),
      landed('r2', 50, { status: 'rolled_back' }),
      landed('r2', 60, { status: 'failed' }),
      landed('r1', 100, { trigger: 'config' }),
    ];
    const list = candidates('api-staging', history, 120, new Date(T0 + 130_000));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ release: 'r1', state: 'eligible', liveSince: at(0) });
  });

  it('the same name with other bytes is another release', () => {
    const history = [landed('r1', 0), landed('r1', 100, { sha256: 'f'.repeat(64) })];
    const list = candidates('api-staging', history, 0, new Date(T0 + 200_000));
    expect(list).toHaveLength(2);
    expect(list[0]?.sha256).toBe('f'.repeat(64));
  });

  it('says why when nothing is eligible, and names an unknown release', () => {
    expect(choose('api-staging', []).why).toBe('no release has succeeded on api-staging yet');
    expect(choose('api-staging', [], 'r9').why).toMatch(/"r9" never succeeded on api-staging/);
  });
});

describe('promotion chains', () => {
  it('finds a loop and the path along it', () => {
    const ups: Record<string, string | undefined> = { b: 'a', c: 'b' };
    expect(promotionLoop('a', 'c', (t) => ups[t])).toEqual(['a', 'c', 'b', 'a']);
    expect(promotionLoop('a', 'a', (t) => ups[t])).toEqual(['a', 'a']);
    expect(promotionLoop('d', 'c', (t) => ups[t])).toBeUndefined();
  });

  it('defaults: no soak, no approval, not automatic', () => {
    expect(promotionSchema.parse({ from: 'api-staging' })).toEqual({ from: 'api-staging', soakSeconds: 0, approval: 'none', auto: false });
    expect(promotionSchema.safeParse({ from: 'api-staging', soakSeconds: 400 * 86400 }).success).toBe(false);
  });
});
