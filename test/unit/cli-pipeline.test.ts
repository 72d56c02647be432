/** `slipway pipeline show` against the fake slipway API over real HTTP, answering per the contract. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../cli/context.js';
import { run } from '../../cli/program.js';
import type { PipelineView } from '../../shared/http/contract.js';
import { pipelineViewSchema } from '../../shared/http/pipeline-schemas.js';
import { openCliWorkspace } from '../support/cli-workspace.js';
import { problem, type FakeSlipwayApi } from '../support/fake-slipway-api.js';
import { memoryStream as newMemoryStream } from '../support/memory-stream.js';

const memoryStream = () => newMemoryStream({ tty: false, columns: 200 });

let cwd: string;
let workspace: Awaited<ReturnType<typeof openCliWorkspace>>;
let api: FakeSlipwayApi;
let stdout: ReturnType<typeof memoryStream>;
let stderr: ReturnType<typeof memoryStream>;

const context = (): CliContext => ({ cwd, env: {}, stdout, stderr, projectRoot: cwd, sleep: async () => {}, pollIntervalMs: 1 });

const SHA_A = 'a1'.repeat(32);
const SHA_B = 'b2'.repeat(32);

const VIEW: PipelineView = pipelineViewSchema.parse({
  target: 'api-prod',
  root: 'api-staging',
  environments: [
    {
      name: 'api-staging',
      kind: 'function',
      from: null,
      promotion: null,
      live: { release: 'r2', sha256: SHA_B, configDigest: 'c3'.repeat(32), since: '2026-06-01T10:00:00.000Z', deploymentId: 'd-s2' },
      running: { id: 'd-s3', release: 'r3', status: 'shifting', trafficPercent: 10 },
      next: null,
      candidates: [],
      awaitingApproval: [],
    },
    {
      name: 'api-prod',
      kind: 'function',
      from: 'api-staging',
      promotion: { from: 'api-staging', soakSeconds: 3600, approval: 'required', auto: true },
      live: { release: 'r1', sha256: SHA_A, configDigest: null, since: '2026-05-31T09:00:00.000Z', deploymentId: 'd-p1' },
      running: null,
      next: {
        candidate: {
          release: 'r2',
          sha256: SHA_B,
          state: 'eligible',
          why: 'live on api-staging since 2026-06-01T10:00:00.000Z, soaked 3600 s',
          liveSince: '2026-06-01T10:00:00.000Z',
          eligibleAt: '2026-06-01T11:00:00.000Z',
          upstreamDeploymentId: 'd-s2',
          alreadyLive: false,
        },
        why: 'live on api-staging since 2026-06-01T10:00:00.000Z, soaked 3600 s',
      },
      candidates: [],
      awaitingApproval: [{ id: 'd-p2', release: 'r2', requestedBy: 'slipway (auto-promotion)', requestedAt: '2026-06-01T11:00:05.000Z' }],
    },
    {
      name: 'api-eu',
      kind: 'site',
      from: 'api-prod',
      promotion: { from: 'api-prod', soakSeconds: 0, approval: 'none', auto: false },
      live: null,
      running: null,
      next: { candidate: null, why: 'no release has succeeded on api-prod yet' },
      candidates: [],
      awaitingApproval: [],
    },
  ],
  omitted: 0,
  problems: [],
});

beforeEach(async () => {
  workspace = await openCliWorkspace('slipway-cli-pipeline-');
  ({ cwd, api } = workspace);
  stdout = memoryStream();
  stderr = memoryStream();
});

afterEach(async () => {
  await workspace.close();
});

describe('Command: pipeline show', () => {
  it('prints one block per environment: live release, short sha256 and config digest, what runs, eligible next or why not, what awaits approval', async () => {
    // Prepare
    api.on('GET', '/targets/{name}/pipeline', (r) => ({ status: 200, body: { ...VIEW, target: r.params.name } }));
    // Act
    const code = await run(['pipeline', 'show', 'api-prod'], context());
    // Assess
    expect(code, stderr.text).toBe(0);
    expect(stdout.text.split('\n')).toEqual([
      'pipeline of api-prod (root api-staging, 3 environments)',
      '',
      'api-staging  function  root',
      '  live      r2  sha256 b2b2b2b2b2b2  config c3c3c3c3c3c3  since 2026-06-01 10:00:00Z',
      '  running   r3  shifting 10%  d-s3',
      '',
      'api-prod *  function  from api-staging, soak 1h00m, approval required, auto',
      '  live      r1  sha256 a1a1a1a1a1a1  config -  since 2026-05-31 09:00:00Z',
      '  next      r2  sha256 b2b2b2b2b2b2  live on api-staging since 2026-06-01T10:00:00.000Z, soaked 3600 s',
      '  awaiting approval (1)',
      '    d-p2  r2  requested 2026-06-01 11:00:05Z by slipway (auto-promotion)',
      '',
      'api-eu  site  from api-prod, no soak, approval none',
      '  live      nothing yet (no deployment has succeeded)',
      '  next      none: no release has succeeded on api-prod yet',
      '',
    ]);
  });

  it('--json prints only the answer, as the API gave it', async () => {
    // Prepare
    api.on('GET', '/targets/{name}/pipeline', { status: 200, body: VIEW });
    // Act
    const code = await run(['pipeline', 'show', 'api-prod', '--json'], context());
    // Assess
    expect(code, stderr.text).toBe(0);
    expect(JSON.parse(stdout.text)).toEqual(VIEW);
  });

  it('names an unknown target and exits 2', async () => {
    // Prepare
    api.on('GET', '/targets/{name}/pipeline', problem(404, 'not-found', 'target "nope" is not registered'));
    api.on('GET', '/targets', { status: 200, body: { targets: [] } });
    // Act
    const code = await run(['pipeline', 'show', 'nope'], context());
    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toContain('nope');
  });
});
