import { describe, expect, it } from 'vitest';
import { deploymentView } from '../support/deployment-view.js';
import type { DeploymentView } from '../../shared/domain/deployment.js';
import { ApiProblemError } from '../../cli/api-client.js';
import { formatDeployment, formatDuration, formatHistory, formatProblem, formatSummary, formatTargets, historyRow, styleFor } from '../../cli/output.js';

const plain = styleFor({ write: () => true, isTTY: false }, {});

/** A finished deployment. */
const view = (overrides: Partial<DeploymentView> = {}): DeploymentView =>
  deploymentView({
    id: 'd-0123456789abcdef0123',
    status: 'succeeded',
    toVersion: '2',
    trafficPercent: 100,
    startedAt: '2026-11-26T21:15:00.120Z',
    endedAt: '2026-11-26T21:15:01.020Z',
    ...overrides,
  });

describe('Function: historyRow', () => {
  it('shows id, release, status, traffic, from→to, trigger, who asked, start time and reason', () => {
    // Act
    const row = historyRow(view({ status: 'rolled_back', trafficPercent: 0, reason: 'alarm hello-canary-errors is in ALARM' }));
    const rollback = historyRow(
      view({ trigger: 'rollback', release: 'r1', fromVersion: '2', toVersion: '1', requestedBy: 'arn:aws:iam::123456789012:user/ana' }),
    );

    // Assess
    expect(row).toEqual([
      'd-0123456789abcdef0123',
      'r2',
      'rolled_back',
      '0%',
      '1→2',
      's3',
      '-',
      '2026-11-26 21:15:00Z',
      'alarm hello-canary-errors is in ALARM',
    ]);
    expect(rollback.slice(4, 7)).toEqual(['2→1', 'rollback', 'ana']);
  });

  it('shows a dash when no version is known yet', () => {
    // Act
    const row = historyRow(view({ status: 'queued', fromVersion: null, toVersion: null, trafficPercent: 0, endedAt: null }));

    // Assess
    expect(row[4]).toBe('-');
  });
});

describe('Function: formatHistory', () => {
  it('aligns columns under a header', () => {
    // Prepare
    const deployments = [
      view({ id: 'd-bbbbbbbbbbbbbbbbbbbb', release: 'release-with-long-name', status: 'shifting', trafficPercent: 50, endedAt: null }),
      view({ id: 'd-aaaaaaaaaaaaaaaaaaaa', release: 'r1', fromVersion: null, toVersion: '1' }),
    ];

    // Act
    const lines = formatHistory(deployments, plain).trimEnd().split('\n');

    // Assess
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ID\s+RELEASE\s+STATUS\s+TRAFFIC\s+FROM→TO\s+TRIGGER\s+BY\s+STARTED\s+REASON$/);
    const statusColumn = lines[0]!.indexOf('STATUS');
    expect(lines[1]!.indexOf('shifting')).toBe(statusColumn);
    expect(lines[2]!.indexOf('succeeded')).toBe(statusColumn);
    expect(lines[2]).toContain('?→1');
  });

  it('says so when there is no deployment', () => {
    expect(formatHistory([], plain)).toBe('no deployments yet\n');
  });
});

describe('Function: formatProblem', () => {
  it('prints the title, the detail and one path: message line per invalid field', () => {
    // Prepare
    const problem = {
      type: 'https://slipway.dev/problems/validation',
      title: 'Bad Request',
      status: 400,
      detail: 'invalid target: strategy: must be one of the documented shapes; health.probe.url: Invalid url',
      errors: [
        { path: 'strategy', message: 'must be one of the documented shapes (see docs: strategies)' },
        { path: 'health.probe.url', message: 'Invalid url' },
      ],
    };

    // Act
    const text = formatProblem(problem);

    // Assess
    expect(text.split('\n')).toEqual([
      `Bad Request: ${problem.detail}`,
      '  strategy: must be one of the documented shapes (see docs: strategies)',
      '  health.probe.url: Invalid url',
    ]);
  });

  it('falls back to the title when there is no detail', () => {
    expect(formatProblem({ title: 'Not Found', status: 404 })).toBe('Not Found');
  });

  it.each([
    [400, 2],
    [404, 2],
    [409, 1],
    [500, 1],
  ])('maps HTTP %i to exit code %i', (status, exitCode) => {
    expect(new ApiProblemError({ status, detail: 'x' }).exitCode).toBe(exitCode);
  });
});

describe('Function: styleFor', () => {
  it('colors a terminal', () => {
    expect(styleFor({ write: () => true, isTTY: true }, {}).green('ok')).toBe('\u001b[32mok\u001b[39m');
  });

  it('never colors with NO_COLOR set, even an empty one', () => {
    expect(styleFor({ write: () => true, isTTY: true }, { NO_COLOR: '' }).green('ok')).toBe('ok');
  });

  it('never colors a pipe', () => {
    expect(styleFor({ write: () => true }, {}).red('no')).toBe('no');
  });
});

describe('Function: formatSummary', () => {
  it('names the reason when the release did not go live', () => {
    // Act
    const line = formatSummary(view({ status: 'rolled_back', reason: 'alarm hello-canary-errors is in ALARM' }), 6200, plain);

    // Assess
    expect(line).toBe('✘ hello r2 rolled_back in 6.2s (version 1→2): alarm hello-canary-errors is in ALARM  d-0123456789abcdef0123\n');
  });
});

describe('Function: formatDuration', () => {
  it.each([
    [900, '0.9s'],
    [12_400, '12s'],
    [125_000, '2m05s'],
    [3_725_000, '1h02m'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('Function: formatDeployment', () => {
  it.each([
    ['config', 'config (a configuration change: the live release again)'],
    ['promotion', 'promotion (from the upstream environment)'],
    ['s3', 's3 (an upload)'],
  ] as const)('says what a %s trigger is', (trigger, words) => {
    // Act
    const text = formatDeployment(view({ trigger }), plain);

    // Assess
    expect(text.split('\n')[1]).toBe(`  trigger   ${words}`);
  });

  it('shows where a promotion comes from, its approval, a forced release and the configuration it releases', () => {
    // Act
    const text = formatDeployment(
      view({
        trigger: 'promotion',
        promotion: { from: 'api-staging', upstreamDeploymentId: 'd-up' },
        approval: { state: 'approved', by: 'arn:aws:iam::1:user/ana', reason: 'CAB-42', at: '2026-06-01T10:00:00.000Z' },
        forcedBy: 'arn:aws:iam::1:user/bo',
        forceReason: 'incident 812',
        configuration: {
          digest: 'a'.repeat(64),
          fromDigest: 'b'.repeat(64),
          changes: [
            { key: 'LOG_LEVEL', change: 'changed', from: '"info"', to: '"debug"' },
            { key: 'STRIPE_KEY', change: 'added', to: 'secret prod/stripe (version v2)' },
            { key: 'OLD', change: 'removed', from: '"x"' },
          ],
        },
      }),
      plain,
    );

    // Assess
    expect(text).toContain('  promoted  from api-staging (deployment d-up)\n');
    expect(text).toContain('  approval  approved by arn:aws:iam::1:user/ana: CAB-42\n');
    expect(text).toContain('  forced    past the promotion gate by arn:aws:iam::1:user/bo: incident 812\n');
    expect(text).toContain(`  config    ${'a'.repeat(12)} (was ${'b'.repeat(12)}): ~LOG_LEVEL +STRIPE_KEY -OLD\n`);
  });
});

describe('Apps: components in status, history, the summary and targets', () => {
  const app = view({
    target: 'shop',
    fromVersion: null,
    toVersion: null,
    components: {
      worker: { kind: 'function', function: 'shop-worker', fromVersion: '2', toVersion: '2', changed: false },
      web: { kind: 'site', fromRelease: 'r1', toRelease: 'r2', changed: true },
      api: { kind: 'function', function: 'shop-api', fromVersion: '3', toVersion: '4', changed: true },
    },
  });

  it('shows one row per component in status, in place of the versions', () => {
    // Act
    const text = formatDeployment(app, plain);
    // Assess
    expect(text).not.toContain('  versions');
    expect(text).toContain(
      [
        '  components',
        '    api     function shop-api     3→4',
        '    web     site                  r1→r2',
        '    worker  function shop-worker  unchanged (v2)',
        '',
      ].join('\n'),
    );
  });

  it('names every component’s move in history and in the summary line', () => {
    expect(historyRow(app)[4]).toBe('api 3→4, web r1→r2, worker unchanged (v2)');
    expect(formatSummary(app, 900, plain)).toBe('✔ shop r2 succeeded in 0.9s (api 3→4, web r1→r2, worker unchanged (v2))  d-0123456789abcdef0123\n');
  });

  it('lists what each component of an app target deploys to', () => {
    // Act
    const text = formatTargets(
      [
        {
          name: 'shop',
          kind: 'app',
          strategy: 'AllAtOnce',
          components: { web: { site: { bucket: 'shop-web', prefix: 'web/' } }, api: { function: { name: 'shop-api', alias: 'live' } } },
        },
      ],
      plain,
    );
    // Assess
    expect(text.split('\n')[1]).toMatch(/^shop\s+app\s+api=shop-api:live, web=s3:\/\/shop-web\/web\/\s+AllAtOnce$/);
  });
});
