import { ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAliasedFunction } from '../../dev/provision.js';
import { functionPackage } from '../../dev/zip.js';
import type { Orchestrator } from '../../shared/ports/index.js';
import { acceptUpload } from '../../shared/usecases/intake.js';
import { deploymentIdForObject } from '../../shared/domain/deployment.js';
import { uniqueName } from '../support/aws-env.js';
import { rawZip } from '../support/raw-zip.js';
import {
  aliasOf,
  intakeDeps,
  createFunctionTarget,
  createWorld,
  finished,
  localOrchestrator,
  release,
  uploadRelease,
  type World,
} from '../support/workflow-harness.js';
import { nextHookAnswers } from '../support/hook-answers.js';

async function publishedVersions(world: World, fn: string): Promise<string[]> {
  const out = await world.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }));
  return (out.Versions ?? []).map((v) => v.Version!).filter((v) => v !== '$LATEST');
}

/** moto's Lambda stub answers Invoke from a queue of canned results (it cannot run code here). */

describe('Workflow: release safety', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  it('fails a release whose pre-traffic hook fails, with no traffic moved', async () => {
    // Prepare
    const hook = uniqueName('pre-hook');
    await createAliasedFunction(hook, await functionPackage('hook'));
    const target = await createFunctionTarget(world, { health: { preTraffic: hook } });
    await nextHookAnswers(hook, [JSON.stringify({ status: 'Failed', reason: 'smoke test failed' })]);
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('failed');
    expect(record.reason).toContain('smoke test failed');
    expect(record.reason).toContain('no traffic was moved');
    expect(record.timeline.some((e) => e.step === 'shift')).toBe(false);
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('1');
  });

  it('fails a corrupt zip before touching the function', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'broken', Buffer.from('this is not a zip file at all'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('failed');
    expect(record.reason).toMatch(/^(?!ArtifactRejectedError).*zip/i);
    expect(await publishedVersions(world, target.function.name)).toEqual(['1']);
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('1');
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });

  it('fails a zip whose entry declares 100 bytes but inflates to 2 MiB, before anything is published', async () => {
    // Prepare: the directory says 100 bytes; the deflated data holds 2 MiB
    const target = await createFunctionTarget(world);
    const orchestrator = localOrchestrator();
    const zip = rawZip([
      { name: 'index.mjs', data: 'export const handler = async () => 1;\n' },
      { name: 'payload.bin', data: deflateRawSync(Buffer.alloc(2 * 1024 * 1024)), method: 8, uncompressedSize: 100 },
    ]);
    // Act
    const { id } = await release(world, orchestrator, target.name, 'liar', zip);
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('failed');
    expect(record.reason).toContain('"payload.bin" declares 100 bytes unzipped but inflates to more');
    expect(await publishedVersions(world, target.function.name)).toEqual(['1']);
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('1');
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });

  it('fails a release whose sha256 metadata does not match the object', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2'), {
      metadata: { sha256: 'a'.repeat(64) },
    });
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status).toBe('failed');
    expect(record.reason).toContain('checksum mismatch');
    expect(await publishedVersions(world, target.function.name)).toEqual(['1']);
  });

  it('records an upload for an unknown target as failed, naming the target', async () => {
    // Prepare
    const started: string[] = [];
    const orchestrator: Orchestrator = { start: async (id) => void started.push(id) };
    const uploaded = await uploadRelease(world, 'no-such-target', 'r1', await functionPackage('x'));
    // Act
    const outcome = await acceptUpload(intakeDeps(world, orchestrator), {
      bucket: world.bucket,
      rawKey: uploaded.key,
      versionId: uploaded.versionId!,
      eventTime: new Date().toISOString(),
    });
    // Assess
    expect(outcome.outcome).toBe('rejected');
    const record = await world.deployments.get((outcome as { deploymentId: string }).deploymentId);
    expect(record?.status).toBe('failed');
    expect(record?.reason).toContain('"no-such-target"');
    expect(started).toEqual([]);
  });

  it('gives one deployment for an S3 event delivered twice', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const orchestrator = localOrchestrator();
    const uploaded = await uploadRelease(world, target.name, 'r2', await functionPackage('v2'));
    const event = { bucket: world.bucket, rawKey: uploaded.key, versionId: uploaded.versionId!, etag: uploaded.etag! };
    const deps = intakeDeps(world, orchestrator);
    // Act
    const first = await acceptUpload(deps, { ...event, eventTime: '2026-01-01T00:00:00.000Z' });
    const second = await acceptUpload(deps, { ...event, eventTime: '2026-01-01T00:00:05.000Z' });
    await orchestrator.settled();
    // Assess
    expect(first).toMatchObject({ outcome: 'started', duplicate: false });
    expect(second).toMatchObject({ outcome: 'started', duplicate: true, deploymentId: (first as { deploymentId: string }).deploymentId });
    expect(orchestrator.executions.size).toBe(1);
    expect(await world.deployments.listByTarget(target.name)).toHaveLength(1);
    expect(await publishedVersions(world, target.function.name)).toEqual(['1', '2']);
  });

  it('gives an event without a version id the deployment a client computes from its upload', async () => {
    // Prepare: moto's notifications carry no version id; real S3's do
    const target = await createFunctionTarget(world);
    const orchestrator = localOrchestrator();
    const uploaded = await uploadRelease(world, target.name, 'r2', await functionPackage('v2 unversioned event'));
    // Act
    const outcome = await acceptUpload(intakeDeps(world, orchestrator), {
      bucket: world.bucket,
      rawKey: uploaded.key,
      etag: uploaded.etag!,
      eventTime: new Date().toISOString(),
    });
    await orchestrator.settled();
    // Assess
    const expected = deploymentIdForObject({ bucket: world.bucket, key: uploaded.key, versionId: uploaded.versionId! });
    expect(outcome).toMatchObject({ outcome: 'started', deploymentId: expected });
    expect((await world.deployments.get(expected))?.artifact?.versionId).toBe(uploaded.versionId);
  });

  it('serializes releases racing for one target: the newest wins, older waiting ones are superseded', async () => {
    // Prepare: r1 is running when r2 and r3 arrive; both wait for the lock.
    const target = await createFunctionTarget(world);
    let releaseGate!: () => void;
    const gate = new Promise<void>((r) => (releaseGate = r));
    let firstStaged!: () => void;
    const staged = new Promise<void>((r) => (firstStaged = r));
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        const output = await run(input);
        if (state === 'Stage' && (input as { deploymentId: string }).deploymentId === firstId) {
          firstStaged();
          await gate;
        }
        return output;
      },
    });
    let firstId = '';
    const r1 = await release(world, orchestrator, target.name, 'r1', await functionPackage('race r1'), { eventTime: '2026-01-01T00:00:01.000Z' });
    firstId = r1.id;
    await staged;
    // Act
    const r2 = await release(world, orchestrator, target.name, 'r2', await functionPackage('race r2'), { eventTime: '2026-01-01T00:00:02.000Z' });
    const r3 = await release(world, orchestrator, target.name, 'r3', await functionPackage('race r3'), { eventTime: '2026-01-01T00:00:03.000Z' });
    // r2 reaches the lock while r1 holds it (however slow this machine is today).
    let waitingBeforeGate: string | undefined;
    for (let tries = 0; tries < 200 && !['waiting', 'superseded'].includes(waitingBeforeGate ?? ''); tries += 1) {
      await new Promise((r) => setTimeout(r, 50));
      waitingBeforeGate = (await world.deployments.get(r2.id))?.status;
    }
    releaseGate();
    const [d1, d2, d3] = await Promise.all([r1, r2, r3].map((r) => finished(world, orchestrator, r.id)));
    // Assess
    expect(waitingBeforeGate === 'waiting' || waitingBeforeGate === 'superseded').toBe(true);
    expect(d1!.status, d1!.reason).toBe('succeeded');
    expect(d2!.status, d2!.reason).toBe('superseded');
    expect(d2!.reason).toContain(r3.id);
    expect(d3!.status, d3!.reason).toBe('succeeded');
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe(d3!.toVersion);
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });

  it('supersedes a late-arriving older release instead of deploying it over a newer one', async () => {
    // Prepare: S3 delivers events out of order; r-new is already live.
    const target = await createFunctionTarget(world);
    const orchestrator = localOrchestrator();
    const newer = await release(world, orchestrator, target.name, 'r-new', await functionPackage('new'), { eventTime: '2026-01-01T00:00:10.000Z' });
    await finished(world, orchestrator, newer.id);
    // Act
    const older = await release(world, orchestrator, target.name, 'r-old', await functionPackage('old'), { eventTime: '2026-01-01T00:00:05.000Z' });
    const record = await finished(world, orchestrator, older.id);
    // Assess
    expect(record.status).toBe('superseded');
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe((await world.deployments.get(newer.id))?.toVersion);
  });
});
