import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/domain/deployment.js';
import { parseWith, functionTargetSchema } from '../../shared/domain/target.js';
import type { DeploymentStore, TargetStore } from '../../shared/ports/index.js';
import { acceptUpload, whyNotAReleaseKey, type IntakeDeps } from '../../shared/usecases/intake.js';
import { objectsCreated } from '../../shared/usecases/s3-notification.js';
import { manualClock } from '../support/clock.js';

const BUCKET = 'acme-artifacts';

/** In-memory ports: the records created, the executions started, the lines logged. */
function fakeIntake() {
  const records = new Map<string, Deployment>();
  const started: string[] = [];
  const warnings: { message: string; details?: Record<string, unknown> }[] = [];
  const infos: string[] = [];
  const target = parseWith(functionTargetSchema, { name: 'hello', kind: 'function', function: { name: 'hello', alias: 'live' } }, 'target');
  const deployments: DeploymentStore = {
    create: async (deployment) => {
      const existing = records.get(deployment.id);
      if (existing) return { created: false, deployment: existing };
      records.set(deployment.id, deployment);
      return { created: true, deployment };
    },
    get: async (id) => records.get(id),
    update: async () => undefined,
    listByTarget: async () => [],
  };
  const targets = { get: async (name: string) => (name === 'hello' ? target : undefined) } as unknown as TargetStore;
  const deps: IntakeDeps = {
    targets,
    artifacts: { head: async () => undefined },
    deployments,
    orchestrator: { start: async (id) => void started.push(id) },
    artifactBucket: BUCKET,
    clock: manualClock('2026-01-01T00:00:02.000Z'),
    log: (message) => void infos.push(message),
    warn: (message, details) => void warnings.push({ message, ...(details ? { details } : {}) }),
  };
  return { deps, records, started, warnings, infos };
}

const event = (rawKey: string, bucket = BUCKET) => ({ bucket, rawKey, versionId: 'v1', eventTime: '2026-01-01T00:00:00.000Z' });

describe('Function: acceptUpload', () => {
  it('starts a deployment for a key in the layout, warning of nothing', async () => {
    // Prepare
    const { deps, records, started, warnings } = fakeIntake();
    // Act
    const outcome = await acceptUpload(deps, event('releases%2Fhello%2Fr2.zip'));
    // Assess
    expect(outcome).toMatchObject({ outcome: 'started', duplicate: false });
    expect(started).toHaveLength(1);
    expect(warnings).toEqual([]);
    // Requested when S3 says it arrived, started when the intake's clock read it.
    expect([...records.values()][0]).toMatchObject({ requestedAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:02.000Z' });
  });

  it.each([
    ['a space', 'releases/hello/my+release.zip', 'releases/hello/my release.zip', 'the release name "my release" has a space'],
    ['a plus sign', 'releases/hello/r2%2Bbuild.zip', 'releases/hello/r2+build.zip', 'the release name "r2+build" has "+" (U+002B)'],
    ['unicode', 'releases/hello/r%C3%A9lease.zip', 'releases/hello/rélease.zip', 'has "é" (U+00E9)'],
    ['an upper-case suffix', 'releases/hello/r2.ZIP', 'releases/hello/r2.ZIP', 'the key ends in ".ZIP"; the layout\'s suffix is ".zip", in lower case'],
    ['an upper-case target', 'releases/Hello/r2.zip', 'releases/Hello/r2.zip', 'the target name "Hello" has "H" (U+0048)'],
    ['a nested path', 'releases/hello/2026/r2.zip', 'releases/hello/2026/r2.zip', 'has 3 path segments between releases/ and .zip'],
  ])('ignores a key with %s with a WARN naming the key and why, creating nothing', async (_kind, rawKey, key, why) => {
    // Prepare
    const { deps, records, started, warnings } = fakeIntake();
    // Act
    const outcome = await acceptUpload(deps, event(rawKey));
    // Assess
    expect(outcome).toMatchObject({ outcome: 'ignored', key });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain(`s3://${BUCKET}/${key}`);
    expect(warnings[0]!.message).toContain(why);
    expect(warnings[0]!.message).toContain('releases/<target>/<release>.zip');
    expect(records.size).toBe(0);
    expect(started).toEqual([]);
  });

  it('drops an event whose key is not valid URL encoding with a WARN naming it, instead of throwing into a retry', async () => {
    // Prepare
    const { deps, records, warnings } = fakeIntake();
    // Act
    const outcome = await acceptUpload(deps, event('releases/hello/%E0%A4%A.zip'));
    // Assess
    expect(outcome).toMatchObject({ outcome: 'ignored', key: 'releases/hello/%E0%A4%A.zip' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('"releases/hello/%E0%A4%A.zip" is not valid URL encoding');
    expect(records.size).toBe(0);
  });

  it('ignores an event naming a bucket other than the artifact bucket, with a log line naming both', async () => {
    // Prepare
    const { deps, records, started, warnings } = fakeIntake();
    // Act
    const outcome = await acceptUpload(deps, event('releases%2Fhello%2Fr2.zip', 'someone-elses-bucket'));
    // Assess
    expect(outcome).toMatchObject({ outcome: 'ignored' });
    expect(warnings[0]!.message).toContain('"someone-elses-bucket", not the artifact bucket "acme-artifacts"');
    expect(records.size).toBe(0);
    expect(started).toEqual([]);
  });
});

describe('Function: whyNotAReleaseKey', () => {
  it('names what is wrong with keys outside releases/ and without .zip', () => {
    expect(whyNotAReleaseKey('uploads/readme.txt')).toBe('the key is not under releases/');
    expect(whyNotAReleaseKey('releases/hello/r2.tar.gz')).toBe('the key does not end in .zip');
    expect(whyNotAReleaseKey(`releases/hello/${'r'.repeat(129)}.zip`)).toContain('is 129 characters long; the most is 128');
    expect(whyNotAReleaseKey('releases/-hello/r2.zip')).toContain('the target name "-hello" does not match');
  });
});

describe('Function: objectsCreated (incomplete records)', () => {
  it('names ObjectCreated records without a bucket or key as a problem', () => {
    // Prepare
    const body = JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: BUCKET }, object: {} } }] });
    // Act
    const { objects, problem } = objectsCreated(body, new Date());
    // Assess
    expect(objects).toEqual([]);
    expect(problem).toBe('1 ObjectCreated record(s) name no bucket or key');
  });
});
