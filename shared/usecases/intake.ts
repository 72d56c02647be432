import { decodeS3EventKey, readReleaseKey } from '../domain/artifact-key.js';
import { deploymentIdForObject, isTerminal, type ArtifactRef, type Deployment } from '../domain/deployment.js';
import { RELEASE_NAME, TARGET_NAME } from '../domain/target.js';
import type { ArtifactStore, Clock, DeploymentStore, Orchestrator, TargetStore } from '../ports/index.js';

export interface IntakeDeps {
  targets: TargetStore;
  artifacts: Pick<ArtifactStore, 'head'>;
  deployments: DeploymentStore;
  orchestrator: Orchestrator;
  /** The bucket releases are uploaded to; an event naming any other bucket is ignored. */
  artifactBucket: string;
  clock: Clock;
  log: (message: string, details?: Record<string, unknown>) => void;
  /** For an upload that will never deploy: it must show at the default log level. */
  warn: (message: string, details?: Record<string, unknown>) => void;
}

export interface ObjectCreated {
  bucket: string;
  /** As it appears in the S3 event: URL-encoded. */
  rawKey: string;
  versionId?: string;
  etag?: string;
  eventTime: string;
}

export type IntakeOutcome =
  | { outcome: 'ignored'; key: string; reason: string }
  | { outcome: 'rejected'; deploymentId: string; reason: string }
  | { outcome: 'started'; deploymentId: string; duplicate: boolean };

/**
 * One S3 ObjectCreated event → at most one deployment. The id is derived from the object
 * (bucket, key, version id or ETag), so a redelivered or reordered event finds the same record and
 * the same execution name.
 */
export async function acceptUpload(deps: IntakeDeps, event: ObjectCreated): Promise<IntakeOutcome> {
  // Each case below is dropped, never retried: the same event would only fail the same way again.
  if (event.bucket !== deps.artifactBucket) {
    const reason = `the event names the bucket "${event.bucket}", not the artifact bucket "${deps.artifactBucket}"; check which buckets notify the intake queue`;
    deps.warn(`ignoring an upload event: ${reason}`, { bucket: event.bucket, rawKey: event.rawKey });
    return { outcome: 'ignored', key: event.rawKey, reason };
  }
  let key: string;
  try {
    key = decodeS3EventKey(event.rawKey);
  } catch {
    const reason = `its key "${event.rawKey}" is not valid URL encoding, as S3 event keys are; the event is dropped`;
    deps.warn(`ignoring an upload event: ${reason}`, { bucket: event.bucket, rawKey: event.rawKey });
    return { outcome: 'ignored', key: event.rawKey, reason };
  }
  // The rule is the domain's (readReleaseKey); whyNotAReleaseKey only words the refusal for people.
  const parsed = readReleaseKey(key);
  if (!parsed.ok) {
    const reason = `${whyNotAReleaseKey(key) ?? parsed.reason}; upload the release as releases/<target>/<release>.zip`;
    deps.warn(`ignoring s3://${event.bucket}/${key}: ${reason}`, { bucket: event.bucket, key });
    return { outcome: 'ignored', key, reason };
  }
  const artifact = await pinVersion(deps, {
    bucket: event.bucket,
    key,
    ...(event.versionId ? { versionId: event.versionId } : {}),
    ...(event.etag ? { etag: event.etag } : {}),
  });
  const id = deploymentIdForObject(artifact);
  const now = deps.clock.now().toISOString();
  const base: Deployment = {
    id,
    target: parsed.target,
    release: parsed.release,
    status: 'queued',
    trigger: 's3',
    artifact,
    requestedAt: event.eventTime,
    startedAt: now,
    updatedAt: now,
    trafficPercent: 0,
    timeline: [{ at: now, step: 'intake', status: 'queued', message: `s3://${event.bucket}/${key} uploaded` }],
  };

  const target = await deps.targets.get(parsed.target);
  if (!target) {
    const reason = `unknown target "${parsed.target}": no target with that name is registered; register it (npx slipway targets apply) and upload the release again`;
    await deps.deployments.create({
      ...base,
      status: 'failed',
      endedAt: now,
      reason,
      timeline: [{ at: now, step: 'intake', status: 'failed', message: reason }],
    });
    return { outcome: 'rejected', deploymentId: id, reason };
  }

  const { created, deployment } = await deps.deployments.create(base);
  if (!isTerminal(deployment.status)) await deps.orchestrator.start(id);
  return { outcome: 'started', deploymentId: id, duplicate: !created };
}

/**
 * Some event sources leave out the version id (moto's notifications do; real S3 sends it for
 * versioned buckets). The object's current version is taken when its ETag is the event's, so the
 * deployment still deploys exactly the uploaded bytes and gets the same id a client computes
 * from its PutObject response.
 */
async function pinVersion(deps: IntakeDeps, ref: ArtifactRef): Promise<ArtifactRef> {
  if (ref.versionId || !ref.etag) return ref;
  const head = await deps.artifacts.head(ref);
  if (head?.versionId && head.etag === ref.etag) return { ...ref, versionId: head.versionId };
  return ref;
}

/** Says, for people, why `key` is not `releases/<target>/<release>.zip` (parseReleaseKey refused it). */
export function whyNotAReleaseKey(key: string): string | undefined {
  if (!key.startsWith('releases/')) return 'the key is not under releases/';
  const suffix = /\.zip$/i.exec(key)?.[0];
  if (suffix && suffix !== '.zip') return `the key ends in "${suffix}"; the layout's suffix is ".zip", in lower case`;
  if (!suffix) return 'the key does not end in .zip';
  const parts = key.slice('releases/'.length, -'.zip'.length).split('/');
  if (parts.length !== 2) return `the key has ${parts.length} path segments between releases/ and .zip; the layout has two, <target>/<release>`;
  const [target, release] = parts as [string, string];
  if (!TARGET_NAME.test(target)) {
    return `the target name "${target}" ${whyNotAName(target, TARGET_NAME, /[a-z0-9-]/, 'lower-case letters, digits and "-", starting with a letter or digit', 48)}`;
  }
  // A leading dot is the domain's own rule, worded by readReleaseKey.
  if (!RELEASE_NAME.test(release) && !release.startsWith('.')) {
    return `the release name "${release}" ${whyNotAName(release, RELEASE_NAME, /[A-Za-z0-9._-]/, 'letters, digits, ".", "_" and "-"', 128)}`;
  }
  return undefined;
}

function whyNotAName(name: string, rule: RegExp, allowed: RegExp, allowedInWords: string, maxLength: number): string {
  const outside = [...new Set([...name].filter((c) => !allowed.test(c)))];
  if (outside.length > 0) return `has ${outside.map(describeCharacter).join(', ')}; names use only ${allowedInWords}`;
  if (name.length === 0) return 'is empty';
  if (name.length > maxLength) return `is ${name.length} characters long; the most is ${maxLength}`;
  return `does not match ${rule.source}`;
}

function describeCharacter(c: string): string {
  if (c === ' ') return 'a space';
  const code = c.codePointAt(0)!;
  const unicode = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  // Invisible or control characters are named by code point only, so the log line shows what is there.
  return code < 0x20 || (code >= 0x7f && code <= 0xa0) || /[\p{Cf}\p{Z}]/u.test(c) ? unicode : `"${c}" (${unicode})`;
}
