import { describe, expect, it } from 'vitest';
import { stepsWithAnalysis } from '../../shared/domain/analysis/steps.js';
import { planSteps } from '../../shared/domain/strategy.js';
import { parseTarget } from '../../shared/domain/target.js';

const fn = { name: 'hello', kind: 'function', function: { name: 'hello', alias: 'live' } };

describe('The analysis block', () => {
  it('takes the defaults of docs/analysis.md on a function target', () => {
    const target = parseTarget({ ...fn, health: { analysis: {} } });
    expect(target.health.analysis).toEqual({
      minInvocations: 100,
      maxErrorRate: 0.01,
      compare: 'baseline',
      confidence: 0.95,
      maxBakeSeconds: 3600,
      onInconclusive: 'rollback',
    });
  });

  it.each([
    [{ confidence: 0.2 }, /confidence/],
    [{ onInconclusive: 'ignore' }, /onInconclusive/],
    [{ maxBakeSeconds: 0 }, /maxBakeSeconds/],
    [{ minInvocation: 10 }, /minInvocation/],
  ])('refuses %j with the field named', (analysis, field) => {
    expect(() => parseTarget({ ...fn, health: { analysis } })).toThrow(field);
  });

  it('is refused on a site or an app, which it cannot judge yet', () => {
    const site = { name: 'www', kind: 'site', site: { bucket: 'b', prefix: 'www/', distributionId: 'E2QWRUHAPOMQZL' }, health: { analysis: {} } };
    expect(() => parseTarget(site)).toThrow(/judges a function's canary version .* a site target does not take it yet/);
  });

  it('bakes every split step between its own bakeSeconds and maxBakeSeconds, and leaves the 100% step alone', () => {
    const steps = stepsWithAnalysis(planSteps({ type: 'linear', percent: 50, bakeSeconds: 60 }), {
      ...parseTarget({ ...fn, health: { analysis: {} } }).health.analysis!,
    });
    expect(steps).toEqual([
      { percent: 50, bakeSeconds: 3600, minBakeSeconds: 60 },
      { percent: 100, bakeSeconds: 0 },
    ]);
    expect(stepsWithAnalysis(planSteps('AllAtOnce'), undefined)).toEqual([{ percent: 100, bakeSeconds: 0 }]);
  });
});
