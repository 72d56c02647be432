import { createHash } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { testRuntime } from '../support/runtime.js';
import { functionPackage } from '../../dev/zip.js';
import { deploymentIdForObject } from '../../shared/domain/deployment.js';
import { acceptUpload } from '../../shared/usecases/intake.js';
import { viaHandler, type Answer } from '../support/api-calls.js';
import { uniqueName } from '../support/aws-env.js';
import { aliasOf, createFunctionTarget, createWorld, finished, intakeDeps, localOrchestrator, uploadRelease, type World } from '../support/workflow-harness.js';

const TYPE = 'https://slipway.dev/problems/';
let call: ReturnType<typeof viaHandler>;
let orchestrator: ReturnType<typeof localOrchestrator>;
let world: World;

beforeAll(async () => {
  world = await createWorld();
  orchestrator = localOrchestrator();
  call = viaHandler(testRuntime({ orchestrator }).api as never);
});

function sha256(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

async function askUpload(target: string, release: string, body: Uint8Array): Promise<Answer> {
  return call('POST', `/targets/${target}/releases`, { body: { release, sha256: sha256(body), size: body.length } });
}

/** PUTs a body to a presigned URL with the headers the API listed (minus any left out). */
async function put(grant: { url: string; headers: Record<string, string> }, body: Uint8Array, leaveOut: string[] = []): Promise<Response> {
  const headers = Object.fromEntries(Object.entries(grant.headers).filter(([name]) => !leaveOut.includes(name)));
  return fetch(grant.url, { method: 'PUT', headers, body });
}

/** Feeds the object to intake as the bucket notification would, and runs the workflow to its end. */
async function deployUploaded(key: string) {
  const head = await world.s3.send(new HeadObjectCommand({ Bucket: world.bucket, Key: key }));
  const ref = { bucket: world.bucket, key, versionId: head.VersionId, etag: head.ETag?.replaceAll('"', '') };
  await acceptUpload(intakeDeps(world, orchestrator), {
    bucket: world.bucket,
    rawKey: encodeURIComponent(key),
    ...(ref.versionId ? { versionId: ref.versionId } : {}),
    ...(ref.etag ? { etag: ref.etag } : {}),
    eventTime: new Date().toISOString(),
  });
  return finished(world, orchestrator, deploymentIdForObject(ref));
}

function fieldPaths(answer: Answer): string[] {
  return (answer.body.errors ?? []).map((e: { path: string }) => e.path);
}

describe('POST /targets/{name}/releases', () => {
  it('hands out a PUT URL valid 15 minutes, bound to the size, sha256 and a new key', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const zip = await functionPackage('r2');
    const before = Date.now();
    // Act
    const answer = await askUpload(target.name, 'r2', zip);
    // Assess
    expect(answer.status).toBe(201);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.body).toMatchObject({
      target: target.name,
      release: 'r2',
      bucket: world.bucket,
      key: `releases/${target.name}/r2.zip`,
      method: 'PUT',
    });
    expect(answer.body.headers).toEqual({
      'content-length': String(zip.length),
      'x-amz-checksum-sha256': Buffer.from(sha256(zip), 'hex').toString('base64'),
      'x-amz-meta-sha256': sha256(zip),
      'if-none-match': '*',
    });
    const url = new URL(answer.body.url);
    expect(url.pathname).toBe(`/${world.bucket}/releases/${target.name}/r2.zip`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';').sort()).toEqual(
      ['content-length', 'host', 'if-none-match', 'x-amz-checksum-sha256', 'x-amz-meta-sha256'].sort(),
    );
    const expiresAt = Date.parse(answer.body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 900_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);
  });

  it('takes the right body through the URL, and the upload deploys like any other', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const zip = await functionPackage('r2 through a presigned URL');
    const grant = (await askUpload(target.name, 'r2', zip)).body;
    // Act
    const response = await put(grant, zip);
    const record = await deployUploaded(grant.key);
    // Assess
    expect(response.status).toBe(200);
    const head = await world.s3.send(new HeadObjectCommand({ Bucket: world.bucket, Key: grant.key }));
    expect(head.ContentLength).toBe(zip.length);
    expect(head.Metadata).toEqual({ sha256: sha256(zip) });
    expect(record.status, record.reason).toBe('succeeded');
    expect(record).toMatchObject({ release: 'r2', trigger: 's3', sha256: sha256(zip) });
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe(record.toVersion);
  });

  it('refuses a second PUT through the same URL: if-none-match makes it single-use (moto enforces it)', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const zip = await functionPackage('once');
    const grant = (await askUpload(target.name, 'r2', zip)).body;
    expect((await put(grant, zip)).status).toBe(200);
    // Act
    const again = await put(grant, zip);
    // Assess
    expect(again.status).toBe(412);
  });

  it('refuses the PUT when someone uploaded the key after the URL was handed out (moto enforces if-none-match)', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const zip = await functionPackage('raced');
    const grant = (await askUpload(target.name, 'r2', zip)).body;
    const other = await uploadRelease(world, target.name, 'r2', await functionPackage('first in'));
    // Act
    const response = await put(grant, zip);
    // Assess
    expect(response.status).toBe(412);
    const head = await world.s3.send(new HeadObjectCommand({ Bucket: world.bucket, Key: grant.key }));
    expect(head.VersionId).toBe(other.versionId);
  });

  // moto (5.2) checks neither the signature of a presigned URL nor x-amz-checksum-sha256 nor the
  // signed content-length, so it stores a wrong body that S3 would refuse (BadDigest / 403; the
  // signature binding is covered in test/unit/presigned-upload.test.ts). What slipway itself does
  // with such a body is checked here: the signed x-amz-meta-sha256 travels with it and Prepare
  // refuses the zip before anything changes.
  it.each([
    ['the same size but other bytes', [] as string[], 'declared-as-this-onf'],
    ['another size (moto ignores the signed content-length)', ['content-length'], 'a longer body than the one declared'],
  ])('fails the deployment of a wrong body, %s, on the signed sha256 before any traffic moves', async (_, leaveOut, otherBody) => {
    // Prepare
    const target = await createFunctionTarget(world);
    const zip = await functionPackage('declared-as-this-one');
    const wrong = await functionPackage(otherBody);
    expect(wrong.length === zip.length).toBe(leaveOut.length === 0);
    const grant = (await askUpload(target.name, 'r2', zip)).body;
    // Act
    const response = await put(grant, wrong, leaveOut);
    const record = await deployUploaded(grant.key);
    // Assess
    expect(response.status, 'moto stores the wrong body; S3 would refuse it').toBe(200);
    expect(record.status).toBe('failed');
    expect(record.reason).toContain(`checksum mismatch: the sha256 metadata says ${sha256(zip)}`);
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('1');
  });

  it('answers 409 for a release whose object exists', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    await uploadRelease(world, target.name, 'r7', await functionPackage('r7'));
    // Act
    const answer = await askUpload(target.name, 'r7', Buffer.from('anything'));
    // Assess
    expect(answer.status).toBe(409);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ type: `${TYPE}conflict`, status: 409, detail: expect.stringContaining('immutable') });
  });

  it('answers 409 for a release that was deployed before, even when its object is gone', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const at = new Date().toISOString();
    await world.deployments.create({
      id: `d-${uniqueName('old')}`,
      target: target.name,
      release: 'r3',
      status: 'succeeded',
      trigger: 's3',
      requestedAt: at,
      startedAt: at,
      updatedAt: at,
      trafficPercent: 100,
      timeline: [],
    });
    // Act
    const answer = await askUpload(target.name, 'r3', Buffer.from('anything'));
    const other = await askUpload(target.name, 'r4', Buffer.from('anything'));
    // Assess
    expect(answer.status).toBe(409);
    expect(answer.body.detail).toContain('has been deployed before');
    expect(other.status).toBe(201);
  });

  it('answers 404 for a target that is not registered', async () => {
    // Prepare
    const name = uniqueName('nope').slice(0, 40);
    // Act
    const answer = await askUpload(name, 'r1', Buffer.from('zip'));
    // Assess
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ type: `${TYPE}not-found`, detail: expect.stringContaining(name) });
  });

  it.each([
    ['a sha256 that is not 64 hex digits', { release: 'r1', sha256: 'abc', size: 10 }, ['sha256']],
    ['a size of 0', { release: 'r1', sha256: 'a'.repeat(64), size: 0 }, ['size']],
    ['a fractional size', { release: 'r1', sha256: 'a'.repeat(64), size: 1.5 }, ['size']],
    ['a size as a string', { release: 'r1', sha256: 'a'.repeat(64), size: '10' }, ['size']],
    ['a size over one S3 PUT (5 GiB)', { release: 'r1', sha256: 'a'.repeat(64), size: 5 * 1024 ** 3 + 1 }, ['size']],
    ['a release name intake would not take', { release: 'v1/evil', sha256: 'a'.repeat(64), size: 10 }, ['release']],
    ['a release name longer than 128', { release: 'r'.repeat(129), sha256: 'a'.repeat(64), size: 10 }, ['release']],
    ['no release and no size', { sha256: 'a'.repeat(64) }, ['release', 'size']],
    ['an unknown field', { release: 'r1', sha256: 'a'.repeat(64), size: 10, md5: 'x' }, ['(root)']],
  ])('answers 400 naming the field for %s, and hands out nothing', async (_, body, paths) => {
    // Prepare
    const target = await createFunctionTarget(world);
    // Act
    const answer = await call('POST', `/targets/${target.name}/releases`, { body });
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ type: `${TYPE}validation`, status: 400, title: expect.any(String), detail: expect.any(String) });
    expect(fieldPaths(answer).sort()).toEqual(paths.sort());
    expect(answer.body.url).toBeUndefined();
  });

  it('answers 400 to a function release over Lambda’s 250 MiB unzipped limit', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    // Act
    const fits = await call('POST', `/targets/${target.name}/releases`, { body: { release: 'big', sha256: 'b'.repeat(64), size: 250 * 1024 ** 2 } });
    const over = await call('POST', `/targets/${target.name}/releases`, { body: { release: 'big', sha256: 'b'.repeat(64), size: 250 * 1024 ** 2 + 1 } });
    // Assess
    expect(fits.status).toBe(201);
    expect(over.status).toBe(400);
    expect(over.body.detail).toContain('250 MiB');
    expect(over.body.errors).toEqual([{ path: 'size', message: `must be at most ${250 * 1024 ** 2} bytes for this target` }]);
  });

  it('answers 400 to a site release over the target’s limits.maxUncompressedBytes', async () => {
    // Prepare
    const name = uniqueName('site').slice(0, 40);
    const registered = await call('PUT', `/targets/${name}`, {
      body: { kind: 'site', site: { bucket: 'acme-www', distributionId: 'E2QWRUHAPOMQZL' }, limits: { maxUncompressedBytes: 1000 } },
    });
    expect(registered.status).toBe(200);
    // Act
    const over = await call('POST', `/targets/${name}/releases`, { body: { release: 's1', sha256: 'c'.repeat(64), size: 1001 } });
    const fits = await call('POST', `/targets/${name}/releases`, { body: { release: 's1', sha256: 'c'.repeat(64), size: 1000 } });
    // Assess
    expect(over.status).toBe(400);
    expect(over.body.detail).toContain('limits.maxUncompressedBytes is 1000');
    expect(fieldPaths(over)).toEqual(['size']);
    expect(fits.status).toBe(201);
  });
});
