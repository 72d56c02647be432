/**
 * Presigned uploads and deploy hooks against `slipway dev`, driven with curl the way a CI job
 * without AWS credentials would (the README's commands).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionPackage } from '../../dev/zip.js';
import type { DeploymentView } from '../../shared/domain/deployment.js';
import { startDev, type DevInfo } from '../support/dev-process.js';

const work = mkdtempSync(join(tmpdir(), 'slipway-e2e-hooks-'));
let info: DevInfo;
let stopDev: () => Promise<void>;

beforeAll(async () => {
  const dev = await startDev(work);
  info = dev.info;
  stopDev = dev.stop;
});

afterAll(async () => {
  await stopDev?.();
});

/** curl, answering with the status code and the body. */
function curl(...args: string[]): { status: number; body: string } {
  const run = spawnSync('curl', ['-sS', '-w', '\n%{http_code}', ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`curl ${args.join(' ')} failed: ${run.stderr}`);
  const cut = run.stdout.lastIndexOf('\n');
  return { status: Number(run.stdout.slice(cut + 1)), body: run.stdout.slice(0, cut) };
}

function postJson(path: string, body: unknown, headers: string[] = []): { status: number; body: any } {
  const answer = curl('-X', 'POST', `${info.apiUrl}${path}`, '-H', 'content-type: application/json', ...headers, '-d', JSON.stringify(body));
  return { status: answer.status, body: answer.body === '' ? undefined : JSON.parse(answer.body) };
}

async function settled(target: string, release: string): Promise<DeploymentView> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = curl(`${info.apiUrl}/targets/${target}/deployments?limit=10`);
    const found = (JSON.parse(answer.body).deployments as DeploymentView[]).find((d) => d.release === release);
    if (found && ['succeeded', 'rolled_back', 'failed', 'cancelled', 'superseded'].includes(found.status)) return found;
    if (Date.now() > deadline) throw new Error(`${target} ${release} did not finish: ${answer.body}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('slipway dev: uploads and deploy hooks over HTTP', () => {
  it('takes a release through a presigned URL with curl -T and deploys it; the URL then refuses a second PUT', async () => {
    // Prepare
    const zip = await functionPackage('r5 through a presigned URL');
    const path = join(work, 'r5.zip');
    writeFileSync(path, zip);
    const grant = postJson('/targets/hello/releases', {
      release: 'r5',
      sha256: createHash('sha256').update(zip).digest('hex'),
      size: zip.length,
    });
    expect(grant.status, JSON.stringify(grant.body)).toBe(201);
    const headers = Object.entries(grant.body.headers as Record<string, string>)
      .filter(([name]) => name !== 'content-length') // curl -T sends it
      .flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
    // Act
    const first = curl('-X', 'PUT', '-T', path, ...headers, grant.body.url);
    const second = curl('-X', 'PUT', '-T', path, ...headers, grant.body.url);
    const deployment = await settled('hello', 'r5');
    // Assess
    expect(first.status, first.body).toBe(200);
    expect(second.status).toBe(412);
    expect(deployment.status, deployment.reason ?? '').toBe('succeeded');
    expect(deployment.trigger).toBe('s3');
  });

  it('deploys the newest upload through a hook called with its secret, and refuses a wrong one', async () => {
    // Prepare
    const hook = postJson('/targets/hello/hooks', { name: 'ci' });
    expect(hook.status).toBe(201);
    const zip = await functionPackage('r6 for the hook');
    const path = join(work, 'r6.zip');
    writeFileSync(path, zip);
    const sha256 = createHash('sha256').update(zip).digest('hex');
    const grant = postJson('/targets/hello/releases', { release: 'r6', sha256, size: zip.length });
    const headers = Object.entries(grant.body.headers as Record<string, string>)
      .filter(([name]) => name !== 'content-length')
      .flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
    await new Promise((r) => setTimeout(r, 1100)); // S3 keeps LastModified to the second: r5 must be older
    expect(curl('-X', 'PUT', '-T', path, ...headers, grant.body.url).status).toBe(200);
    await settled('hello', 'r6'); // the upload deploys itself; the hook then deploys it again
    // Act
    const wrong = curl('-X', 'POST', `${info.apiUrl}${hook.body.url}`, '-H', 'X-Slipway-Hook-Secret: not-it');
    const called = curl('-X', 'POST', `${info.apiUrl}${hook.body.url}`, '-H', `X-Slipway-Hook-Secret: ${hook.body.secret}`);
    // Assess
    expect(wrong.status).toBe(401);
    expect(called.status, called.body).toBe(202);
    const view = JSON.parse(called.body) as DeploymentView;
    expect(view).toMatchObject({ target: 'hello', release: 'r6', trigger: 'api' });
    const listed = JSON.parse(curl(`${info.apiUrl}/targets/hello/hooks`).body);
    expect(listed.hooks).toEqual([expect.objectContaining({ id: hook.body.id, lastUsedAt: expect.any(String) })]);
  });
});
