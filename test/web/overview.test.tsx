import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { TrafficBar } from '../../web/src/components/TrafficBar';
import type { Target, TargetSummary, TargetWindow } from '../../web/src/types';
import { historyFilters, historyQuery } from '../../web/src/view/history-model';
import { liveLabel, promotionLabel, trafficSegments, windowLabel } from '../../web/src/view/overview-model';
import { composeSummary, downstreamOf, windowState } from '../../web/src/view/summary-fallback';
import { deployment } from './fixtures';

const hello: Target = { name: 'hello', kind: 'function', function: { name: 'hello', alias: 'live' } };
const now = new Date('2026-12-04T12:00:00Z');

describe('composeSummary (an API without GET /summary)', () => {
  it('takes the newest succeeded deployment as live and splits traffic with a running canary', () => {
    // Prepare: newest first, as the API lists them
    const deployments = [
      deployment({ id: 'd-3', release: 'r3', status: 'shifting', fromVersion: '2', toVersion: '3', trafficPercent: 10, endedAt: null }),
      deployment({ id: 'd-2', release: 'r2', status: 'succeeded', toVersion: '2', endedAt: '2026-12-04T11:00:00.000Z' }),
      deployment({ id: 'd-1', release: 'r1', status: 'failed', reason: 'boom' }),
    ];
    // Act
    const summary = composeSummary(hello, deployments, undefined, [], now);
    // Assess
    expect(summary.live).toMatchObject({ release: 'r2', version: '2', since: '2026-12-04T11:00:00.000Z', deploymentId: 'd-2' });
    expect(summary.traffic).toEqual({ stable: { version: '2', percent: 90 }, canary: { version: '3', percent: 10 } });
    expect(summary.running).toMatchObject({ id: 'd-3', status: 'shifting', trafficPercent: 10 });
    expect(summary.lastDeployment).toMatchObject({ id: 'd-2', status: 'succeeded' });
    expect(liveLabel(summary)).toBe('r2 · version 2');
    expect(trafficSegments(summary).map((s) => s.label)).toEqual(['v2 90%', 'v3 10%']);
  });

  it('says nothing is live for a target slipway never deployed', () => {
    // Act
    const summary = composeSummary(hello, [], undefined, [], now);
    // Assess
    expect(summary).toMatchObject({ live: null, traffic: null, running: null, lastDeployment: null, window: { state: 'none' } });
    expect(liveLabel(summary)).toBe('nothing live through slipway yet');
  });

  it('places a target in its promotion chain with what awaits approval', () => {
    // Prepare
    const prod: Target = { name: 'api-prod', kind: 'function', promotion: { from: 'api-staging', approval: 'required' } };
    const staging: Target = { name: 'api-staging', kind: 'function' };
    const waiting = deployment({ id: 'd-9', target: 'api-prod', release: 'r4', status: 'waiting', approval: { state: 'pending' }, endedAt: null });
    // Act
    const summary = composeSummary(prod, [waiting], undefined, downstreamOf([prod, staging]).get('api-prod') ?? [], now);
    const upstream = composeSummary(staging, [], undefined, downstreamOf([prod, staging]).get('api-staging') ?? [], now);
    // Assess
    expect(promotionLabel(summary)).toBe('api-staging → api-prod · awaiting approval: r4');
    expect(promotionLabel(upstream)).toBe('api-staging → api-prod');
  });
});

describe('windowState and windowLabel', () => {
  const nightly: Target = { ...hello, name: 'hello-nightly', window: { timezone: 'Europe/Berlin' } };
  const window = (over: Partial<TargetWindow>): TargetWindow => ({
    target: 'hello-nightly',
    timezone: 'Europe/Berlin',
    now: now.toISOString(),
    openings: [],
    deny: [],
    ...over,
  });

  it("is open until the opening closes, written in the target's zone", () => {
    // Act
    const state = windowState(nightly, window({ openings: [{ at: '2026-12-04T11:00:00Z', closesAt: '2026-12-04T14:00:00Z' }] }), now);
    // Assess
    expect(state).toEqual({ state: 'open', until: '2026-12-04T14:00:00Z', timeZone: 'Europe/Berlin' });
    expect(windowLabel(state)).toBe('open until 4 Dec, 15:00:00 CET (Europe/Berlin)');
  });

  it('is closed until the next opening, and frozen inside a deny period whatever the openings', () => {
    // Prepare
    const openings = [{ at: '2026-12-05T01:00:00Z', closesAt: '2026-12-05T04:00:00Z' }];
    // Act
    const closed = windowState(nightly, window({ openings }), now);
    const frozen = windowState(nightly, window({ openings, deny: [{ from: '2026-12-01T00:00:00Z', to: '2027-01-04T00:00:00Z', reason: 'freeze' }] }), now);
    // Assess
    expect(closed).toMatchObject({ state: 'closed', until: '2026-12-05T01:00:00Z' });
    expect(frozen).toMatchObject({ state: 'frozen', until: '2027-01-04T00:00:00Z' });
    expect(windowState(hello, undefined, now)).toEqual({ state: 'none' });
  });
});

describe('TrafficBar', () => {
  it('draws each version as a share of the bar, labelled for screen readers', () => {
    // Prepare
    const summary = composeSummary(
      hello,
      [deployment({ status: 'shifting', fromVersion: '1', toVersion: '2', trafficPercent: 25, endedAt: null })],
      undefined,
      [],
      now,
    );
    // Act
    const html = renderToString(<TrafficBar summary={summary as TargetSummary} />);
    // Assess
    expect(html).toContain('aria-label="traffic: v1 75%, v2 25%"');
    expect(html).toContain('width:75%');
    expect(html).toContain('width:25%');
  });
});

describe('history filters', () => {
  it("asks the API for every filter, the days as the instants they start and end in the viewer's zone", () => {
    // Prepare
    const filters = historyFilters(new URLSearchParams('target=hello&status=failed,rolled_back&trigger=rollback&from=2026-12-03&to=2026-12-03'));
    // Act
    const query = historyQuery(filters);
    // Assess
    expect(filters).toEqual({ target: 'hello', status: ['failed', 'rolled_back'], trigger: 'rollback', from: '2026-12-03', to: '2026-12-03' });
    expect(query).toEqual({
      target: 'hello',
      status: ['failed', 'rolled_back'],
      trigger: 'rollback',
      since: new Date(2026, 11, 3).toISOString(),
      until: new Date(2026, 11, 4).toISOString(),
    });
    expect(historyQuery(historyFilters(new URLSearchParams('')))).toEqual({});
  });
});
