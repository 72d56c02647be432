import { describe, expect, it } from 'vitest';
import { componentOfEntry, componentTargets, describeComponents, planApp } from '../../shared/domain/app.js';
import type { ComponentRecord } from '../../shared/domain/deployment.js';
import { ValidationError } from '../../shared/domain/errors.js';
import { MAX_APP_COMPONENTS, parseTarget, type AppTarget } from '../../shared/domain/target.js';

const api = { function: { name: 'shop-api' } };
const web = { site: { bucket: 'shop-web-origin', prefix: 'web/', distributionId: 'E1SHOP' } };

function issuesOf(components: unknown, extra: Record<string, unknown> = {}): string[] {
  try {
    parseTarget({ name: 'shop', kind: 'app', components, ...extra });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ValidationError');
}

describe('Schema: app target', () => {
  it('fills each component’s defaults and gives every component the app’s name, strategy and poll interval', () => {
    // Prepare
    const app = parseTarget({
      name: 'shop',
      kind: 'app',
      components: { api: { ...api, health: { alarms: ['api-5xx'] } }, web },
      strategy: { type: 'canary', percent: 10, bakeSeconds: 300 },
      health: { alarms: ['shop-5xx'], pollSeconds: 15 },
    }) as AppTarget;
    // Act
    const [first, second] = componentTargets(app);
    // Assess
    expect(app.components.api).toEqual({ function: { name: 'shop-api', alias: 'live' }, keepVersions: 10, health: { alarms: ['api-5xx'] } });
    expect(first).toMatchObject({
      component: 'api',
      kind: 'function',
      target: { name: 'shop', strategy: { type: 'canary' }, health: { alarms: ['api-5xx'], pollSeconds: 15 } },
    });
    expect(second).toMatchObject({ component: 'web', kind: 'site', target: { name: 'shop', kind: 'site', site: { prefix: 'web/' }, health: { alarms: [] } } });
  });

  it('refuses a second site, naming both', () => {
    expect(issuesOf({ web, admin: { site: { ...web.site, distributionId: 'E2ADMIN' } } })).toEqual([
      'components: an app has at most one site; "web" and "admin" are both sites: make one of them a target of its own',
    ]);
  });

  it('refuses one function as two components, by name or ARN', () => {
    const arn = { function: { name: 'arn:aws:lambda:us-east-1:123456789012:function:shop-api' } };
    expect(issuesOf({ api, again: arn })).toEqual(['components.again.function.name: function shop-api is already component "api"']);
  });

  it('names a component whose name cannot be a folder of the zip', () => {
    expect(issuesOf({ 'Web Site': web })).toEqual([
      'components.Web Site: must match [a-z0-9][a-z0-9_-]{0,31} (it is also the folder of the component in the release zip)',
    ]);
  });

  it(`refuses no component and more than ${MAX_APP_COMPONENTS}`, () => {
    const many = Object.fromEntries(Array.from({ length: MAX_APP_COMPONENTS + 1 }, (_, i) => [`fn${i}`, { function: { name: `shop-fn${i}` } }]));
    expect(issuesOf({})).toEqual(['components: must name at least one component']);
    expect(issuesOf(many)).toEqual([`components: must name at most ${MAX_APP_COMPONENTS} components`]);
  });

  it('says what a component must look like, and refuses what only the app decides', () => {
    expect(issuesOf({ api: { lambda: 'shop-api' } })).toEqual([
      'components.api: must be a function component ({"function": {"name": …}}) or a site component ({"site": {"bucket": …, "distributionId": …}}); see docs/apps.md',
    ]);
    expect(issuesOf({ api: { ...api, strategy: 'AllAtOnce' } })).toEqual(['components.api: unknown field "strategy"']);
  });
});

describe('Function: planApp', () => {
  it.each([
    ['canary', { type: 'canary', percent: 10, bakeSeconds: 300 }, [10, 100], 1],
    ['linear', { type: 'linear', percent: 25, bakeSeconds: 60 }, [25, 50, 75, 100], 3],
    ['all at once', 'AllAtOnce', [100], 0],
  ] as const)('moves changed functions through the %s steps and switches the site at the last one', (_, strategy, percents, switchAt) => {
    // Act
    const plan = planApp({ strategy }, { functions: 2, site: true });
    // Assess
    expect(plan.steps.map((s) => s.percent)).toEqual(percents);
    expect(plan.siteSwitchAt).toBe(switchAt);
    expect(plan.steps[switchAt]).toEqual({ percent: 100, bakeSeconds: 0 });
  });

  it('switches a site at once, with no bake, when no function changed', () => {
    expect(planApp({ strategy: { type: 'canary', percent: 10, bakeSeconds: 300 } }, { functions: 0, site: true })).toEqual({
      steps: [{ percent: 100, bakeSeconds: 0 }],
      siteSwitchAt: 0,
    });
  });

  it('plans no site switch when the site is unchanged', () => {
    const plan = planApp({ strategy: { type: 'canary', percent: 10, bakeSeconds: 300 } }, { functions: 1, site: false });
    expect(plan).toEqual({
      steps: [
        { percent: 10, bakeSeconds: 300 },
        { percent: 100, bakeSeconds: 0 },
      ],
    });
  });
});

describe('Function: componentOfEntry', () => {
  const components = new Set(['api', 'web']);

  it('gives the component and the path inside its folder', () => {
    expect(componentOfEntry('web/assets/app.js', components)).toEqual({ component: 'web', path: 'assets/app.js' });
    expect(componentOfEntry('api/', components)).toEqual({ component: 'api', path: '' });
  });

  it('refuses a file at the top of the zip and a folder that names no component, listing the components', () => {
    expect(componentOfEntry('README.md', components)).toEqual({
      refused: '"README.md" is at the top of the zip; an app\'s zip has one folder per component (api/, web/): move it into one',
    });
    expect(componentOfEntry('worker/index.js', components)).toEqual({
      refused: 'folder "worker/" names no component of this app (its components: api, web); rename the folder or add the component to the target',
    });
    expect(componentOfEntry('/api/index.js', components)).toHaveProperty('refused');
  });
});

describe('Function: describeComponents', () => {
  it('says each component’s move by name, and what an unchanged one keeps', () => {
    // Prepare
    const components: Record<string, ComponentRecord> = {
      worker: { kind: 'function', function: 'shop-worker', fromVersion: '2', changed: false },
      web: { kind: 'site', fromRelease: 'r1', toRelease: 'r2', changed: true },
      api: { kind: 'function', function: 'shop-api', fromVersion: '3', toVersion: '4', changed: true },
    };
    // Act
    const sentence = describeComponents(components);
    // Assess
    expect(sentence).toBe('api 3→4, web r1→r2, worker unchanged (v2)');
  });

  it('says what is not known yet', () => {
    expect(describeComponents({ api: { kind: 'function', function: 'shop-api', changed: true }, web: { kind: 'site', changed: false } })).toBe(
      'api (none)→(pending), web unchanged',
    );
  });
});
