/**
 * The CLI and the AWS CLI (an outside client) against `slipway dev`, started the way `npm start`
 * starts it. Bakes and health polls run in real time here (hello-canary bakes 5 s).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR } from '../../dev/dev-service.js';
import { functionPackage } from '../../dev/zip.js';
import { zipDirectory } from '../../cli/zip-directory.js';
import type { DeploymentView } from '../../shared/domain/deployment.js';
import { aws as awsCli, slipway as runSlipway, startDev, type DevInfo, eventually } from '../support/dev-process.js';

const work = mkdtempSync(join(tmpdir(), 'slipway-e2e-'));
let info: DevInfo;
let stopDev: () => Promise<void>;

const slipway = (...args: string[]) => runSlipway(work, ...args);
const aws = (...args: string[]) => awsCli(info, ...args);

function alias(fn: string): { FunctionVersion: string; RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> } } {
  return JSON.parse(aws('lambda', 'get-alias', '--function-name', fn, '--name', 'live'));
}

async function history(target: string): Promise<DeploymentView[]> {
  const result = await slipway('history', target, '--json');
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as DeploymentView[];
}

async function writeZip(name: string, body: string): Promise<{ path: string; sha256: string }> {
  const bytes = await functionPackage(body);
  const path = join(work, name);
  writeFileSync(path, bytes);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

beforeAll(async () => {
  const dev = await startDev(work);
  info = dev.info;
  stopDev = dev.stop;
});

afterAll(async () => {
  await stopDev?.();
});

describe('slipway dev, end to end', () => {
  it('writes dev.json with the documented fields', () => {
    expect(Object.keys(info).sort()).toEqual(['apiUrl', 'apps', 'artifactBucket', 'awsEndpoint', 'dashboardUrl', 'region', 'siteUrl']);
    expect(info.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('takes a release uploaded with the AWS CLI live behind the alias', async () => {
    // Prepare
    const zip = await writeZip('build.zip', 'hello r2 from the AWS CLI');
    // Act
    aws('s3', 'cp', zip.path, `s3://${info.artifactBucket}/releases/hello/r2.zip`);
    const done = await eventually(async () => (await history('hello')).find((d) => d.release === 'r2' && d.endedAt), 'r2 to finish');
    // Assess
    expect(done.status, done.reason ?? '').toBe('succeeded');
    const live = alias('hello');
    expect(live.FunctionVersion).toBe(done.toVersion);
    const config = JSON.parse(aws('lambda', 'get-function-configuration', '--function-name', 'hello', '--qualifier', live.FunctionVersion));
    expect(config.CodeSha256).toBe(Buffer.from(zip.sha256, 'hex').toString('base64'));
  });

  it('deploys with `slipway deploy`, follows it to the end and exits 0', async () => {
    // Prepare
    const zip = await writeZip('r3.zip', 'hello r3 from slipway deploy');
    // Act
    const run = await slipway('deploy', zip.path, '--target', 'hello', '--release', 'r3', '--json');
    // Assess
    expect(run.status, run.stderr).toBe(0);
    const deployment = JSON.parse(run.stdout) as DeploymentView;
    expect(deployment).toMatchObject({ target: 'hello', release: 'r3', status: 'succeeded', sha256: zip.sha256 });
    expect(alias('hello').FunctionVersion).toBe(deployment.toVersion);
  });

  it('rolls the canary back when its alarm fires during the bake, and exits 1', async () => {
    // Prepare
    const before = alias('hello-canary').FunctionVersion;
    const zip = await writeZip('canary.zip', 'hello-canary c2, broken');
    // Act
    const deploying = slipway('deploy', zip.path, '--target', 'hello-canary', '--release', 'c2', '--json');
    const shifting = await eventually(
      async () => (await history('hello-canary')).find((d) => d.release === 'c2' && d.status === 'shifting'),
      'the canary to start',
    );
    const split = alias('hello-canary').RoutingConfig?.AdditionalVersionWeights ?? {};
    aws('cloudwatch', 'set-alarm-state', '--alarm-name', 'hello-canary-errors', '--state-value', 'ALARM', '--state-reason', 'e2e');
    const run = await deploying;
    aws('cloudwatch', 'set-alarm-state', '--alarm-name', 'hello-canary-errors', '--state-value', 'OK', '--state-reason', 'e2e done');
    // Assess
    expect(split).toEqual({ [shifting.toVersion!]: 0.5 });
    expect(run.status).toBe(1);
    const deployment = JSON.parse(run.stdout) as DeploymentView;
    expect(deployment.status).toBe('rolled_back');
    expect(deployment.reason).toContain('hello-canary-errors');
    const after = alias('hello-canary');
    expect(after.FunctionVersion).toBe(before);
    expect(after.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
  });

  it('judges hello-evidence on synthetic traffic run from the canary’s own code: a release failing every call rolls back, one that answers goes live', async () => {
    // Prepare: the example's code, once throwing on every call and once as it is
    const release = (name: string, failRate: number) => {
      const dir = join(work, name);
      mkdirSync(dir, { recursive: true });
      const code = readFileSync(join(EXAMPLES_DIR, 'functions', 'hello-evidence', 'index.mjs'), 'utf8');
      writeFileSync(join(dir, 'index.mjs'), code.replace('release r1', `release ${name}`).replace('FAIL_RATE = 0;', `FAIL_RATE = ${failRate};`));
      return dir;
    };
    // Act
    const failing = await slipway('deploy', release('e2', 1), '--target', 'hello-evidence', '--release', 'e2', '--json');
    const passing = await slipway('deploy', release('e3', 0), '--target', 'hello-evidence', '--release', 'e3', '--json');
    // Assess: the failing canary is rolled back on its synthetic errors, as the function threw them
    expect(failing.status, failing.stderr).toBe(1);
    const failed = JSON.parse(failing.stdout) as DeploymentView;
    expect(failed.status).toBe('rolled_back');
    expect(failed.reason).toMatch(/invocations \(\d+ synthetic\), \d+ errors .* — fail/);
    expect(failed.reason).toContain('hello-evidence failed on purpose');
    // the answering one passes on synthetic invocations alone (nobody calls the alias here)
    expect(passing.status, passing.stderr).toBe(0);
    const passed = JSON.parse(passing.stdout) as DeploymentView;
    const check = passed.timeline.filter((e) => e.evidence).at(-1)?.evidence;
    expect(check).toMatchObject({ outcome: 'pass', canary: { invocations: 0 } });
    expect(check?.synthetic?.invocations).toBeGreaterThanOrEqual(60);
    expect(alias('hello-evidence').FunctionVersion).toBe(passed.toVersion);
    // CloudWatch has them as Lambda counts a direct invocation: under the version's Resource, not the alias's
    const sum = (dimensions: string[]) => {
      const now = Date.now();
      const stats = JSON.parse(
        aws(
          'cloudwatch',
          'get-metric-statistics',
          '--namespace',
          'AWS/Lambda',
          '--metric-name',
          'Invocations',
          '--statistics',
          'Sum',
          '--period',
          '3600',
          '--start-time',
          new Date(now - 3_600_000).toISOString(),
          '--end-time',
          new Date(now + 60_000).toISOString(),
          '--dimensions',
          ...dimensions,
        ),
      ) as { Datapoints: { Sum: number }[] };
      return stats.Datapoints.reduce((total, d) => total + d.Sum, 0);
    };
    const version = passed.toVersion ?? '';
    expect(sum(['Name=FunctionName,Value=hello-evidence', `Name=Resource,Value=hello-evidence:${version}`])).toBe(check?.synthetic?.invocations);
    expect(sum(['Name=FunctionName,Value=hello-evidence', 'Name=Resource,Value=hello-evidence:live', `Name=ExecutedVersion,Value=${version}`])).toBe(0);
  });

  it('rolls back to the previous release with `slipway rollback`, recorded as a deployment', async () => {
    // Prepare: r3 is live, r2 before it
    const r2 = (await history('hello')).find((d) => d.release === 'r2' && d.status === 'succeeded');
    // Act
    const run = await slipway('rollback', 'hello', '--json');
    // Assess
    expect(run.status, run.stderr).toBe(0);
    const deployment = JSON.parse(run.stdout) as DeploymentView;
    expect(deployment).toMatchObject({ trigger: 'rollback', release: 'r2', status: 'succeeded', toVersion: r2?.toVersion });
    expect(alias('hello').FunctionVersion).toBe(r2?.toVersion);
    expect((await history('hello'))[0]?.id).toBe(deployment.id);
  });

  it('rolls forward to a named release with `slipway rollback --to`', async () => {
    // Prepare: r2 is live again after the rollback; r3's version still exists
    const r3 = (await history('hello')).find((d) => d.release === 'r3' && d.trigger === 's3' && d.status === 'succeeded');
    // Act
    const run = await slipway('rollback', 'hello', '--to', 'r3', '--json');
    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ trigger: 'rollback', release: 'r3', status: 'succeeded', toVersion: r3?.toVersion });
    expect(alias('hello').FunctionVersion).toBe(r3?.toVersion);
  });

  it('refuses a deploy to an unknown target with exit code 2 and uploads nothing', async () => {
    // Prepare
    const zip = await writeZip('nobody.zip', 'nobody');
    // Act
    const run = await slipway('deploy', zip.path, '--target', 'no-such-target', '--release', 'x1');
    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('no-such-target');
    const listed = JSON.parse(aws('s3api', 'list-objects-v2', '--bucket', info.artifactBucket, '--prefix', 'releases/no-such-target/'));
    expect(listed.Contents ?? []).toEqual([]);
  });

  it('deploys a directory, zipped reproducibly, and `slipway logs --json` shows its timeline', async () => {
    // Prepare
    const dir = join(work, 'hello-r5');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.mjs'), 'export const handler = async () => ({ statusCode: 200, body: "hello r5 from a directory" });\n');
    const expected = await zipDirectory(dir, join(work, 'hello-r5.zip'));
    // Act
    const run = await slipway('deploy', dir, '--target', 'hello', '--release', 'r5', '--json');
    const deployment = JSON.parse(run.stdout) as DeploymentView;
    const logs = await slipway('logs', deployment.id, '--json');
    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(deployment).toMatchObject({ release: 'r5', status: 'succeeded', sha256: expected.sha256 });
    expect(logs.status, logs.stderr).toBe(0);
    const timeline = JSON.parse(logs.stdout) as { deploymentId: string; status: string; events: { step: string }[] };
    expect(timeline).toMatchObject({ deploymentId: deployment.id, status: 'succeeded' });
    expect(timeline.events.map((e) => e.step)).toEqual(deployment.timeline.map((e) => e.step));
    expect(timeline.events.at(-1)?.step).toBe('finalize');
  });

  it('names the close targets for a mistyped one, with exit code 2', async () => {
    // Act
    const run = await slipway('history', 'helo');
    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('slipway: target "helo" is not registered. Did you mean "hello"?\n');
  });

  it('holds a release for hello-nightly outside its window, shows when it starts, and starts it on promote', async () => {
    // Prepare: whatever the time, a freeze now keeps the nightly window shut
    const target = (await (await fetch(`${info.apiUrl}/targets/hello-nightly`)).json()) as { window: { deny: unknown[] } };
    const now = Date.now();
    const freeze = {
      from: `${new Date(now - 3_600_000).toISOString().slice(0, 16)}Z`,
      to: `${new Date(now + 3_600_000).toISOString().slice(0, 16)}Z`,
      reason: 'e2e freeze',
    };
    const put = await fetch(`${info.apiUrl}/targets/hello-nightly`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...target, window: { ...target.window, deny: [...target.window.deny, freeze] } }),
    });
    expect(put.status).toBe(200);
    const zip = await writeZip('n2.zip', 'hello-nightly n2');
    // Act
    aws('s3', 'cp', zip.path, `s3://${info.artifactBucket}/releases/hello-nightly/n2.zip`);
    const waiting = await eventually(async () => (await history('hello-nightly')).find((d) => d.release === 'n2' && d.status === 'waiting'), 'n2 to wait');
    const window = (await (await fetch(`${info.apiUrl}/targets/hello-nightly/window`)).json()) as { timezone: string; waiting: DeploymentView[] };
    const start = await slipway('promote', waiting.id, '--reason', 'e2e break-glass', '--no-wait', '--json');
    await eventually(async () => (await history('hello-nightly')).find((d) => d.release === 'n2' && d.status === 'shifting'), 'n2 to shift');
    const skip = await slipway('promote', waiting.id, '--reason', 'e2e skip bake', '--no-wait', '--json');
    const done = await eventually(async () => (await history('hello-nightly')).find((d) => d.release === 'n2' && d.endedAt), 'n2 to finish');
    // Assess
    expect(waiting.reason).toContain('frozen: e2e freeze');
    expect(waiting.startsAt).not.toBeNull();
    expect(window.timezone).toBe('Europe/Berlin');
    expect(window.waiting.map((d) => d.id)).toContain(waiting.id);
    expect(start.status, start.stderr).toBe(0);
    expect(skip.status, skip.stderr).toBe(0);
    expect(done.status, done.reason ?? '').toBe('succeeded');
    expect(alias('hello-nightly').FunctionVersion).toBe(done.toVersion);
  });

  it('schedules a release with `slipway deploy --at <time>`, which starts no earlier, and shows windows with `slipway windows show`', async () => {
    // Prepare
    const zip = await writeZip('s1.zip', 'hello scheduled s1');
    const notBefore = new Date(Date.now() + 6000).toISOString();
    // Act
    const run = await slipway('deploy', zip.path, '--target', 'hello', '--release', 's1', '--at', notBefore, '--json');
    const show = await slipway('windows', 'show', 'hello-nightly', '--json');
    // Assess
    expect(run.status, run.stderr).toBe(0);
    const deployment = JSON.parse(run.stdout) as DeploymentView;
    expect(deployment.status).toBe('succeeded');
    expect(deployment.notBefore).toBe(notBefore);
    const locked = deployment.timeline.find((e) => e.message === 'target lock acquired')!;
    expect(Date.parse(locked.at)).toBeGreaterThanOrEqual(Date.parse(deployment.notBefore!));
    expect(deployment.timeline.some((e) => e.step === 'window' && e.message === `scheduled for ${deployment.notBefore}`)).toBe(true);
    expect(show.status, show.stderr).toBe(0);
    const window = JSON.parse(show.stdout) as { timezone: string; openings: { allow: { cron: string } }[] };
    expect(window.timezone).toBe('Europe/Berlin');
    expect(window.openings[0]?.allow.cron).toBe('0 2 * * 1-5');
  });

  it('suggests quiet night windows for hello-nightly from the traffic dev mode put in CloudWatch', async () => {
    // Act
    const run = await slipway('windows', 'suggest', 'hello-nightly', '--duration', '3h', '--count', '2', '--json');
    const chart = await slipway('windows', 'suggest', 'hello-nightly', '--duration', '3h', '--count', '1', '--ascii');
    // Assess
    expect(run.status, run.stderr).toBe(0);
    const view = JSON.parse(run.stdout) as { timezone: string; samples: number; suggestions: { cron: string; startHour: number }[] };
    expect(view.timezone).toBe('Europe/Berlin');
    expect(view.samples).toBeGreaterThanOrEqual(27 * 24);
    expect(view.suggestions).toHaveLength(2);
    for (const s of view.suggestions) expect(s.startHour % 24, s.cron).toBeLessThanOrEqual(4); // the made-up traffic sleeps from 00:00 to 06:00
    expect(chart.status, chart.stderr).toBe(0);
    expect(chart.stdout).toMatch(/^Mon {2}[0-9]{24}$/m);
  });
});
