import { createHash } from 'node:crypto';

export const ACTIVE_STATUSES = ['queued', 'waiting', 'staging', 'shifting', 'verifying'] as const;
export const TERMINAL_STATUSES = ['succeeded', 'rolled_back', 'failed', 'cancelled', 'superseded'] as const;

export type ActiveStatus = (typeof ACTIVE_STATUSES)[number];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export type DeploymentStatus = ActiveStatus | TerminalStatus;

export function isTerminal(status: DeploymentStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** Object metadata that schedules an uploaded release (`x-amz-meta-slipway-not-before`, ISO 8601). */
export const NOT_BEFORE_METADATA = 'slipway-not-before';

export type Trigger = 's3' | 'api' | 'rollback';

/** The exact S3 object a deployment takes live. */
export interface ArtifactRef {
  bucket: string;
  key: string;
  versionId?: string;
  etag?: string;
}

export interface TimelineEntry {
  at: string;
  step: string;
  status?: DeploymentStatus;
  trafficPercent?: number;
  message?: string;
  /** Who asked for this step (a cancel, a promote): the IAM principal the API authenticated. */
  requestedBy?: string;
  /** Why they asked. */
  reason?: string;
  /** The outcome of the health checks a bake ran. */
  health?: 'passed' | 'failed';
  /** The failure that ended the deployment (on the rollback entry). */
  error?: string;
}

export interface Deployment {
  id: string;
  target: string;
  release: string;
  status: DeploymentStatus;
  trigger: Trigger;
  artifact?: ArtifactRef;
  /** When the release arrived (S3 event time or API call): orders releases of one target. */
  requestedAt: string;
  startedAt: string;
  endedAt?: string;
  updatedAt: string;
  fromVersion?: string;
  toVersion?: string;
  trafficPercent: number;
  /** sha256 of the artifact, hex; the Lambda CodeSha256 is its base64 form. */
  sha256?: string;
  reason?: string;
  requestedBy?: string;
  /** A cancel asked for through the API; the workflow acts on it at its next step or bake check. */
  cancelRequestedAt?: string;
  cancelRequestedBy?: string;
  cancelReason?: string;
  /** A promote asked for through the API: the remaining bake is skipped and traffic goes to 100%. */
  promotedAt?: string;
  promotedBy?: string;
  promoteReason?: string;
  /** When the current traffic step's bake ends; a promote is accepted only while one is running. */
  bakeEndsAt?: string;
  /** Break-glass: a promote of a deployment that waits for its window or schedule starts it now. */
  startNowAt?: string;
  startNowBy?: string;
  startNowReason?: string;
  /** A scheduled release: not before this time (ISO), on top of the target's window. */
  notBefore?: string;
  /** While it waits for its window or schedule: when it expects to start (ISO). */
  startsAt?: string;
  timeline: TimelineEntry[];
}

/** The public JSON shape of a deployment (API and `--json` output). */
export interface DeploymentView {
  id: string;
  target: string;
  release: string;
  status: DeploymentStatus;
  trigger: Trigger;
  fromVersion: string | null;
  toVersion: string | null;
  trafficPercent: number;
  requestedAt: string;
  startedAt: string;
  endedAt: string | null;
  reason: string | null;
  sha256: string | null;
  /** A scheduled release's earliest start. */
  notBefore: string | null;
  /** While it waits for its window or schedule: when it expects to start. */
  startsAt: string | null;
  timeline: TimelineEntry[];
}

export function toView(d: Deployment): DeploymentView {
  return {
    id: d.id,
    target: d.target,
    release: d.release,
    status: d.status,
    trigger: d.trigger,
    fromVersion: d.fromVersion ?? null,
    toVersion: d.toVersion ?? null,
    trafficPercent: d.trafficPercent,
    requestedAt: d.requestedAt,
    startedAt: d.startedAt,
    endedAt: d.endedAt ?? null,
    reason: d.reason ?? null,
    sha256: d.sha256 ?? null,
    notBefore: d.notBefore ?? null,
    startsAt: d.startsAt ?? null,
    timeline: d.timeline,
  };
}

/**
 * A deployment id for an S3 object: the same object (bucket, key, version id or ETag) always gives
 * the same id, so a redelivered event finds the existing record and the same execution name.
 * Ids sort by nothing; history is ordered by `requestedAt`.
 */
export function deploymentIdForObject(ref: ArtifactRef): string {
  const identity = [ref.bucket, ref.key, ref.versionId ?? '', ref.versionId ? '' : (ref.etag ?? '')].join('\n');
  return `d-${createHash('sha256').update(identity).digest('hex').slice(0, 20)}`;
}

/** A deployment id for a request without an object identity (API deploy, rollback). */
export function deploymentIdForRequest(...parts: string[]): string {
  return `d-${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 20)}`;
}

/** Lambda reports CodeSha256 as base64 of the zip's sha256; slipway stores hex. */
export function codeSha256FromHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}
