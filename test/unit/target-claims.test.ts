import { describe, expect, it } from 'vitest';
import { claimConflict, claimsOf } from '../../shared/domain/app.js';
import { ConflictError } from '../../shared/domain/errors.js';
import { parseTarget, type Target } from '../../shared/domain/target.js';
import { applyTarget, type ApplyTargetDeps } from '../../shared/usecases/targets.js';
import { manualClock } from '../support/clock.js';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:shop-api';

const shop = (api = 'shop-api', distributionId = 'E1SHOP') =>
  parseTarget({
    name: 'shop',
    kind: 'app',
    components: {
      api: { function: { name: api } },
      worker: { function: { name: 'shop-worker' } },
      web: { site: { bucket: 'shop-web-origin', prefix: 'web/', distributionId } },
    },
  });
const fn = (name: string, functionName: string) => parseTarget({ name, kind: 'function', function: { name: functionName } });
const site = (name: string, distributionId: string, bucket = 'other-origin') => parseTarget({ name, kind: 'site', site: { bucket, distributionId } });

describe('Function: claimsOf', () => {
  it('claims functions by their name and sites by their distribution, each with its component', () => {
    // Act
    const claims = claimsOf(shop(ARN));
    // Assess
    expect(claims.map((c) => [c.key, c.component])).toEqual([
      ['function:shop-api', 'api'],
      ['function:shop-worker', 'worker'],
      ['distribution:E1SHOP', 'web'],
    ]);
    expect(claimsOf(fn('hello', 'hello'))).toEqual([{ key: 'function:hello', what: 'function hello' }]);
  });
});

describe('Function: claimConflict', () => {
  it('refuses a function target on an app component, naming the app and the component', () => {
    // Act
    const conflict = claimConflict([shop()], fn('api-alone', 'shop-worker'));
    // Assess
    expect(conflict).toBe(
      'function shop-worker already belongs to target "shop" as its component "worker"; a function or site belongs to one target only: ' +
        'remove it from "shop" first, or release it through that target',
    );
  });

  it('refuses an app whose component is a function target already, a full ARN comparing equal to the name', () => {
    // Act
    const conflict = claimConflict([fn('api', 'shop-api')], shop(ARN));
    // Assess
    expect(conflict).toMatch(/^function shop-api already belongs to target "api"; /);
  });

  it('compares sites by distribution, whatever the bucket', () => {
    // Act
    const sameDistribution = claimConflict([shop()], site('www', 'E1SHOP'));
    const otherDistribution = claimConflict([shop()], site('www', 'E2OTHER', 'shop-web-origin'));
    // Assess
    expect(sameDistribution).toMatch(/^the site on distribution E1SHOP already belongs to target "shop" as its component "web"/);
    expect(otherDistribution).toBeUndefined();
  });

  it('lets a target be saved again over its own claims', () => {
    expect(claimConflict([shop(), fn('hello', 'hello')], shop(ARN))).toBeUndefined();
  });
});

describe('Function: applyTarget (claims)', () => {
  it('refuses a second claim with a ConflictError, dry run or not, and writes nothing', async () => {
    // Prepare
    const stored = new Map<string, Target>([['shop', shop()]]);
    const puts: Target[] = [];
    const deps: ApplyTargetDeps = {
      targets: { put: async (t) => void puts.push(t), get: async (n) => stored.get(n), list: async () => [...stored.values()] },
      deployments: {
        create: async (deployment) => ({ created: true, deployment }),
        get: async () => undefined,
        update: async () => undefined,
        listByTarget: async () => [],
      },
      orchestrator: { start: async () => undefined },
      clock: manualClock('2026-12-03T10:00:00.000Z'),
    };
    const body = { kind: 'function', function: { name: ARN } };
    // Act
    const refused = await applyTarget(deps, 'api', body).catch((e: unknown) => e);
    const dryRun = await applyTarget(deps, 'api', body, { dryRun: true }).catch((e: unknown) => e);
    // Assess
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as Error).message).toMatch(/^target "api" cannot be saved: function shop-api already belongs to target "shop" as its component "api"/);
    expect(dryRun).toBeInstanceOf(ConflictError);
    expect(puts).toEqual([]);
  });
});
