import { describe, expect, it } from 'vitest';
import {
  addToTally,
  batchCap,
  checkLine,
  classifyAnswer,
  MAX_SYNTHETIC_BATCH,
  SYNTHETIC_CONCURRENCY,
  syntheticBatch,
  withSynthetic,
} from '../../shared/domain/analysis/synthetic.js';
import type { Deployment, TimelineEntry } from '../../shared/domain/deployment.js';
import { UnhealthyReleaseError } from '../../shared/domain/errors.js';
import { MAX_SYNTHETIC_EVENT_BYTES, parseTarget, type FunctionTarget } from '../../shared/domain/target.js';
import type { SyntheticAnswer } from '../../shared/ports/index.js';
import { checkHealth, type CheckHealthDeps } from '../../shared/usecases/workflow/check-health.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';

const fn = { name: 'hello', kind: 'function', function: { name: 'hello', alias: 'live' } };
const synthetic = { event: { path: '/health' }, perMinute: 30, expect: { statusCode: 200 } };

describe('The health.synthetic block', () => {
  it('takes its defaults on a function target judged on evidence', () => {
    // Act
    const target = parseTarget({ ...fn, health: { analysis: {}, synthetic: { event: {} } } });
    // Assess
    expect(target.health.synthetic).toEqual({ event: {}, perMinute: 30, expect: {}, timeoutMs: 3000 });
  });

  it.each([
    [{ ...synthetic, perMinute: 0 }, /health\.synthetic\.perMinute/],
    [{ ...synthetic, perMinute: 601 }, /perMinute: must be at most 600/],
    [{ ...synthetic, timeoutMs: 60_000 }, /health\.synthetic\.timeoutMs/],
    [{ ...synthetic, expect: { status: 200 } }, /health\.synthetic\.expect: unknown field "status" \(did you mean "statusCode"\?\)/],
    [{ ...synthetic, event: 'ping' }, /health\.synthetic\.event: must be a JSON object/],
    [{ ...synthetic, every: 5 }, /unknown field "every"/],
  ])('refuses %j with the field named', (block, message) => {
    // Act & Assess
    expect(() => parseTarget({ ...fn, health: { analysis: {}, synthetic: block } })).toThrow(message);
  });

  it(`refuses an event over ${MAX_SYNTHETIC_EVENT_BYTES} bytes, which would ride in every state transition`, () => {
    // Prepare
    const event = { body: 'x'.repeat(MAX_SYNTHETIC_EVENT_BYTES) };
    // Act & Assess
    expect(() => parseTarget({ ...fn, health: { analysis: {}, synthetic: { event } } })).toThrow(
      /health\.synthetic\.event: must be at most 8192 bytes as JSON/,
    );
  });

  it('needs an analysis block, since only steps judged on evidence send synthetic traffic', () => {
    // Act & Assess
    expect(() => parseTarget({ ...fn, health: { synthetic } })).toThrow(/health\.synthetic: needs health\.analysis: .*add "analysis": \{\}/);
  });

  it('is refused on a site and on an app, which have no version to invoke', () => {
    // Prepare
    const site = { name: 'www', kind: 'site', site: { bucket: 'acme-www', distributionId: 'E2QWRUHAPOMQZL' }, health: { synthetic } };
    const app = { name: 'shop', kind: 'app', components: { api: { function: { name: 'shop-api' } } }, health: { synthetic } };
    // Act & Assess
    expect(() => parseTarget(site)).toThrow(/health\.synthetic: invokes a function's canary version directly; a site target has no version to invoke/);
    expect(() => parseTarget(app)).toThrow(/health\.synthetic: invokes a function's canary version directly; an? app target has no version to invoke/);
  });
});

describe('Function: syntheticBatch', () => {
  it('spreads perMinute over the ticks, carrying the fraction a short tick owes', () => {
    // Prepare: 30 a minute, one-second ticks: one invocation every other tick
    const config = { perMinute: 30, timeoutMs: 3000 };
    let carry = 0;
    const sizes: number[] = [];
    // Act
    for (let tick = 0; tick < 6; tick++) {
      const batch = syntheticBatch(config, 1, carry);
      sizes.push(batch.size);
      carry = batch.carry;
    }
    // Assess
    expect(sizes).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('sends perMinute × seconds / 60 for a longer tick', () => {
    // Act & Assess
    expect(syntheticBatch({ perMinute: 30, timeoutMs: 3000 }, 10)).toEqual({ size: 5, carry: 0 });
    expect(syntheticBatch({ perMinute: 7, timeoutMs: 3000 }, 30)).toEqual({ size: 3, carry: 0.5 });
  });

  it('caps a batch, and drops what the cap cuts instead of bursting later', () => {
    // Act
    const batch = syntheticBatch({ perMinute: 600, timeoutMs: 1000 }, 60);
    // Assess
    expect(batch).toEqual({ size: MAX_SYNTHETIC_BATCH, carry: 0 });
  });

  it('holds a batch of slow invocations to what ends within the batch budget even if every one times out', () => {
    // Act & Assess: 10 s timeouts, 10 at once: three rounds fit 30 s
    expect(batchCap(10_000)).toBe(3 * SYNTHETIC_CONCURRENCY);
    expect(syntheticBatch({ perMinute: 600, timeoutMs: 10_000 }, 10).size).toBe(30);
    expect(batchCap(100)).toBe(MAX_SYNTHETIC_BATCH);
  });
});

describe('Function: classifyAnswer', () => {
  const expectOk = { statusCode: 200 };

  it.each<[SyntheticAnswer, { statusCode?: number }, string]>([
    [{ outcome: 'answered', payload: { statusCode: 200, body: 'ok' } }, expectOk, 'ok'],
    [{ outcome: 'answered', payload: { statusCode: 503 } }, expectOk, 'error'],
    [{ outcome: 'answered', payload: 'Simple Lambda happy path OK' }, expectOk, 'error'],
    [{ outcome: 'answered', payload: 'plain text' }, {}, 'ok'],
    [{ outcome: 'answered', payload: { statusCode: 500 } }, {}, 'ok'],
    [{ outcome: 'failed', why: 'failed (Unhandled): boom' }, {}, 'error'],
    [{ outcome: 'failed', why: 'did not answer within 3000 ms' }, expectOk, 'error'],
    [{ outcome: 'throttled' }, expectOk, 'throttled'],
  ])('classifies %j against %j as %s', (answer, expect_, kind) => {
    // Act & Assess
    expect(classifyAnswer(answer, expect_).kind).toBe(kind);
  });

  it('says what the answer was when it counts as an error', () => {
    // Act & Assess
    expect(classifyAnswer({ outcome: 'answered', payload: { statusCode: 503 } }, expectOk)).toEqual({
      kind: 'error',
      why: 'answered statusCode 503 (expected 200)',
    });
    expect(classifyAnswer({ outcome: 'answered', payload: null }, expectOk)).toEqual({ kind: 'error', why: 'answered without a statusCode (expected 200)' });
  });
});

describe('The synthetic tally', () => {
  it('adds a batch: errors among the invocations, throttles apart, the carry replaced', () => {
    // Act
    const tally = addToTally(
      { invocations: 3, errors: 1, carry: 0.5 },
      [{ kind: 'ok' }, { kind: 'error', why: 'answered statusCode 500 (expected 200)' }, { kind: 'throttled' }],
      0.25,
    );
    // Assess
    expect(tally).toEqual({ invocations: 5, errors: 2, throttles: 1, carry: 0.25, lastError: 'answered statusCode 500 (expected 200)' });
  });

  it('adds to the canary’s real evidence for the verdict', () => {
    // Act & Assess
    expect(withSynthetic({ invocations: 64, errors: 1, throttles: 0 }, { invocations: 120, errors: 2 })).toEqual({ invocations: 184, errors: 3, throttles: 0 });
    expect(withSynthetic({ invocations: 64, errors: 1, throttles: 0 }, undefined)).toEqual({ invocations: 64, errors: 1, throttles: 0 });
  });

  it('reads in the follow line with its share of the canary’s invocations', () => {
    // Prepare
    const why = 'canary 184/300 invocations, 0 errors (0.00%); baseline 0.21% of 12,400; P(worse) 0 — inconclusive: 116 more invocations needed';
    // Act & Assess
    expect(checkLine(why, { canary: '7', baseline: '6' }, { invocations: 1200, errors: 0 })).toBe(
      'canary v7 184/300 invocations (1,200 synthetic), 0 errors (0.00%); baseline v6 0.21% of 12,400; P(worse) 0 — inconclusive: 116 more invocations needed',
    );
    expect(checkLine(why, { canary: '7', baseline: '6' }, undefined)).toMatch(/^canary v7 184\/300 invocations, 0 errors .*; baseline v6 0\.21%/);
  });
});

describe('Function: checkHealth (synthetic traffic)', () => {
  const NOW = new Date('2026-12-04T12:00:00Z');

  function world(options: { answer?: (n: number) => SyntheticAnswer; promoted?: boolean; perMinute?: number } = {}) {
    const target = parseTarget({
      ...fn,
      strategy: { type: 'canary', percent: 10, bakeSeconds: 0 },
      health: {
        pollSeconds: 1,
        analysis: { minInvocations: 50, maxErrorRate: 0.1, maxBakeSeconds: 600 },
        synthetic: { ...synthetic, perMinute: options.perMinute ?? 600 },
      },
    }) as FunctionTarget;
    const deployment = {
      id: 'd-1',
      target: 'hello',
      fromVersion: '1',
      toVersion: '2',
      trafficPercent: 10,
      timeline: [] as TimelineEntry[],
      ...(options.promoted ? { promotedAt: NOW.toISOString() } : {}),
    } as unknown as Deployment;
    const invoked: { fn: string; version: string; event: unknown }[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const deps = {
      deployments: {
        get: async () => deployment,
        update: async (_id: string, _fields: unknown, entry: TimelineEntry) => {
          deployment.timeline.push(entry);
          return deployment;
        },
      },
      health: { alarmsFiring: async () => [], probe: async () => ({}) },
      cdn: { isInvalidationComplete: async () => true },
      sites: { readJson: async () => undefined },
      versionMetrics: { evidence: async () => ({ invocations: 0, errors: 0, throttles: 0 }) },
      synthetic: {
        invoke: async (name: string, version: string, event: unknown) => {
          invoked.push({ fn: name, version, event });
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setTimeout(r, 1));
          inFlight -= 1;
          return options.answer?.(invoked.length) ?? { outcome: 'answered', payload: { statusCode: 200 } };
        },
      },
      clock: { now: () => NOW },
    } as unknown as CheckHealthDeps;
    const state: WorkflowState = {
      deploymentId: 'd-1',
      target,
      steps: [
        { percent: 10, bakeSeconds: 600, minBakeSeconds: 0 },
        { percent: 100, bakeSeconds: 0 },
      ],
      stepIndex: 0,
      verify: {
        next: 'bake',
        waitSeconds: 5,
        remainingChecks: 100,
        healthEvery: 1,
        sinceHealth: 0,
        checks: 0,
        analysis: { since: new Date(NOW.getTime() - 5000).toISOString(), minUntil: NOW.toISOString() },
      },
    };
    return { deps, state, deployment, invoked, maxInFlight: () => maxInFlight };
  }

  it('invokes the canary version (never the stable one) once per due invocation, ten at a time at most, and keeps the tally in the state', async () => {
    // Prepare: 600 a minute over a 5-second tick: 50 invocations
    const { deps, state, deployment, invoked, maxInFlight } = world();
    // Act
    const next = await checkHealth(deps, state);
    // Assess
    expect(invoked).toHaveLength(50);
    expect(new Set(invoked.map((i) => `${i.fn}:${i.version}`))).toEqual(new Set(['hello:2']));
    expect(invoked[0]?.event).toEqual({ path: '/health' });
    expect(maxInFlight()).toBe(SYNTHETIC_CONCURRENCY);
    // 50 synthetic invocations without errors pass (under 10% at 95%): the step ends and its tally goes with it
    expect(next.verify?.next).toBe('shift');
    expect(next.verify?.analysis).toBeUndefined();
    const check = deployment.timeline.find((e) => e.evidence);
    expect(check?.evidence?.synthetic).toEqual({ invocations: 50, errors: 0 });
    expect(check?.evidence?.canary.invocations).toBe(0);
    expect(check?.message).toMatch(/^canary v2 50 invocations \(50 synthetic\), 0 errors/);
  });

  it('carries the tally from tick to tick while the step bakes', async () => {
    // Prepare: 30 a minute: 2 or 3 invocations a 5-second tick, too few to decide
    const { deps, state } = world({ perMinute: 30 });
    // Act
    const first = await checkHealth(deps, state);
    const second = await checkHealth(deps, first);
    // Assess
    expect(first.verify?.analysis?.synthetic).toEqual({ invocations: 2, errors: 0, carry: 0.5 });
    expect(second.verify?.analysis?.synthetic).toEqual({ invocations: 5, errors: 0 });
    expect(second.verify?.next).toBe('bake');
  });

  it('rolls back on synthetic errors, the reason saying what the function answered', async () => {
    // Prepare: every answer is a 500
    const { deps, state } = world({ answer: () => ({ outcome: 'answered', payload: { statusCode: 500 } }) });
    // Act
    const checked = checkHealth(deps, state);
    // Assess
    await expect(checked).rejects.toThrow(UnhealthyReleaseError);
    await expect(checked).rejects.toThrow(
      /canary v2 \d+(\/50)? invocations \(\d+ synthetic\), \d+ errors .* — fail.*\(a synthetic invocation answered statusCode 500 \(expected 200\)\)/,
    );
  });

  it('sends nothing once the deployment is promoted', async () => {
    // Prepare
    const { deps, state, invoked } = world({ promoted: true });
    // Act
    await checkHealth(deps, state);
    // Assess
    expect(invoked).toHaveLength(0);
  });

  it('sends nothing at 100%, where no step is judged on evidence', async () => {
    // Prepare: the last step's bake carries no analysis
    const { deps, state, invoked } = world();
    const { analysis: _none, ...verify } = state.verify!;
    // Act
    await checkHealth(deps, { ...state, stepIndex: 1, verify });
    // Assess
    expect(invoked).toHaveLength(0);
  });
});
