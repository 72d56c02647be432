import { createHash } from 'node:crypto';
import type { ConfigurationChange, PinnedConfiguration } from './configuration.js';
import type { Outcome, VersionEvidence } from './analysis/evidence.js';

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

/**
 * What started a deployment: an upload (`s3`), the API's deploy (`api`), a rollback, a promotion
 * from the upstream environment (`promotion`), or a change of the target's configuration alone
 * (`config`: the live release again, with the new configuration).
 */
export const TRIGGERS = ['s3', 'api', 'rollback', 'promotion', 'config'] as const;
export type Trigger = (typeof TRIGGERS)[number];

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
  /** On the marker entry of a bounded timeline: how many entries were left out there. */
  dropped?: number;
  /** On an evidence check of a canary (docs/analysis.md): what each version did and the verdict. */
  evidence?: EvidenceRecord;
}

/** An evidence check as the timeline keeps it. */
export interface EvidenceRecord {
  outcome: Outcome;
  /** What the canary version did through the alias (real traffic, from Lambda's metrics). */
  canary: VersionEvidence & { version: string };
  /** Its synthetic invocations over the step so far (health.synthetic): judged with `canary`, counted apart. */
  synthetic?: { invocations: number; errors: number; throttles?: number };
  baseline?: VersionEvidence & { version: string };
  probabilityWorse?: number;
  durationRatio?: number;
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
  /**
   * A rollback to what was live before slipway's first deployment of the target (a version or an
   * origin path slipway did not deploy): there is no artifact or manifest behind it.
   */
  preSlipway?: boolean;
  /** Sites: the origin path before this deployment, when it was not one of slipway's release prefixes. */
  fromOriginPath?: string;
  /** Sites: the origin path a pre-slipway rollback returns to (not a release prefix). */
  toOriginPath?: string;
  /** Functions with a configuration, sites with a runtime config: what this deployment releases (never a secret's value). */
  configuration?: DeploymentConfiguration;
  /** A promotion: where the release comes from. */
  promotion?: { from: string; upstreamDeploymentId: string };
  /** A promotion behind `approval: "required"`: who decided, and why. */
  approval?: { state: 'pending' | 'approved' | 'rejected'; by?: string; reason?: string; at?: string };
  /** Break-glass: a direct release to a gated target, forced by this caller for this reason. */
  forcedBy?: string;
  forceReason?: string;
  /** Apps: what the release does to each component (docs/apps.md). */
  components?: Record<string, ComponentRecord>;
  /** Functions whose live version has provisioned concurrency: what this deployment allocates on the new version (docs/targets.md#provisioned-concurrency). */
  provisionedConcurrency?: ProvisionedConcurrencyRecord;
  timeline: TimelineEntry[];
}

/**
 * The provisioned concurrency a function deployment hands over: `amount` as the live version
 * `fromVersion` has it, allocated on `toVersion` before traffic moves. `allocated` says whether this
 * deployment made that allocation (a failure releases only what it made), and is written before the
 * allocation is asked for, so a retried step knows.
 */
export interface ProvisionedConcurrencyRecord {
  amount: number;
  fromVersion: string;
  toVersion: string;
  allocated: boolean;
}

/**
 * One component of an app deployment. `changed: false` means the release leaves it as it is (its
 * folder was missing, or its code or manifest equals the live one's): no new version, no traffic
 * step. A rollback's components name where each one goes back to.
 */
export type ComponentRecord =
  | { kind: 'function'; function: string; fromVersion?: string; toVersion?: string; changed: boolean; sha256?: string }
  | { kind: 'site'; fromRelease?: string; toRelease?: string; changed: boolean };

/** The configuration a deployment releases, as records keep it. */
export interface DeploymentConfiguration {
  /** Hex sha256 of the pinned configuration (configuration.ts configurationDigest). */
  digest: string;
  /** The digest of what was live before, when slipway knows it. */
  fromDigest?: string;
  /** Functions: the configuration with every reference pinned (no secret values). */
  pinned?: PinnedConfiguration;
  /** What changes, secrets redacted. */
  changes: ConfigurationChange[];
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
  /** Present (true) on a rollback to what was live before slipway's first deployment. */
  preSlipway?: true;
  /** Who asked for it (the IAM principal, or `jwt:<sub>`); absent for an upload or when unknown. */
  requestedBy?: string;
  /** What configuration the deployment releases: its digest, the live one's, and the redacted diff; null without one. */
  configuration: { digest: string; fromDigest: string | null; changes: ConfigurationChange[] } | null;
  /** A promotion: where the release comes from. */
  promotion?: { from: string; upstreamDeploymentId: string };
  /** A promotion behind `approval: "required"`: pending, or who decided and why. */
  approval?: { state: 'pending' | 'approved' | 'rejected'; by?: string; reason?: string; at?: string };
  /** Break-glass past a promotion gate: who forced it (when known) and why. */
  forcedBy?: string;
  forceReason?: string;
  /** Apps: each component's versions or site releases, and whether this release changes it. */
  components?: Record<string, ComponentRecord>;
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
    ...(d.preSlipway ? { preSlipway: true as const } : {}),
    ...(d.requestedBy ? { requestedBy: d.requestedBy } : {}),
    // The pinned configuration stays in the record: the view shows the digest and the diff.
    configuration: d.configuration
      ? { digest: d.configuration.digest, fromDigest: d.configuration.fromDigest ?? null, changes: d.configuration.changes }
      : null,
    ...(d.promotion ? { promotion: d.promotion } : {}),
    ...(d.approval ? { approval: d.approval } : {}),
    ...(d.forcedBy ? { forcedBy: d.forcedBy } : {}),
    ...(d.forceReason ? { forceReason: d.forceReason } : {}),
    ...(d.components ? { components: d.components } : {}),
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

/**
 * Bounds of a record's timeline. DynamoDB refuses an item over 400 KB, and a refused write is
 * also the one that would record the terminal status; so the timeline keeps at most
 * TIMELINE_MAX_ENTRIES entries of at most TIMELINE_ENTRY_MAX_BYTES each (~150 KB in all; moto counts an item being replaced twice, so the margin is wide), and
 * the record's reason at most REASON_MAX_BYTES.
 */
export const TIMELINE_MAX_ENTRIES = 200;
/** The first entries (intake, prepare, stage: how it began) always stay. */
export const TIMELINE_KEEP_FIRST = 20;
/** A full timeline is compacted to this many entries, so compaction happens once per ~50 appends. */
export const TIMELINE_COMPACTED_ENTRIES = 150;
export const TIMELINE_ENTRY_MAX_BYTES = 768;
export const REASON_MAX_BYTES = 4096;

const TEXT_FIELDS = ['message', 'error', 'reason', 'requestedBy'] as const;

/** `text` cut to at most `maxBytes` of UTF-8 (on a code point boundary), marked with an ellipsis when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - 3); // '…' is 3 bytes
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    out += ch;
  }
  return `${out}…`;
}

function entryBytes(entry: Record<string, unknown>): number {
  let total = 0;
  for (const [name, value] of Object.entries(entry)) {
    if (value === undefined) continue;
    total += Buffer.byteLength(name, 'utf8') + (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 22);
  }
  return total;
}

/** The entry with its text fields shortened (longest first) until it fits TIMELINE_ENTRY_MAX_BYTES. */
export function boundEntry<E extends Partial<TimelineEntry>>(entry: E): E {
  const bounded: Record<string, unknown> = { ...entry };
  while (entryBytes(bounded) > TIMELINE_ENTRY_MAX_BYTES) {
    const longest = TEXT_FIELDS.filter((f) => typeof bounded[f] === 'string').sort(
      (a, b) => Buffer.byteLength(bounded[b] as string) - Buffer.byteLength(bounded[a] as string),
    )[0];
    if (!longest) break;
    const text = bounded[longest] as string;
    const excess = entryBytes(bounded) - TIMELINE_ENTRY_MAX_BYTES;
    bounded[longest] = truncateUtf8(text, Math.max(16, Buffer.byteLength(text, 'utf8') - excess));
    if (bounded[longest] === text) break;
  }
  return bounded as E;
}

/** The marker entry that stands for the entries a compaction left out. */
export function droppedMarker(dropped: number, at: string): TimelineEntry {
  return {
    at,
    step: 'timeline',
    dropped,
    message: `${dropped} timeline entr${dropped === 1 ? 'y' : 'ies'} left out here to keep the record within DynamoDB's item size`,
  };
}

/**
 * A timeline within TIMELINE_MAX_ENTRIES: unchanged while it fits; otherwise the first
 * TIMELINE_KEEP_FIRST entries, one marker entry counting what was left out (earlier markers'
 * counts included), and the newest entries, TIMELINE_COMPACTED_ENTRIES in all.
 */
export function boundTimeline(timeline: readonly TimelineEntry[]): TimelineEntry[] {
  if (timeline.length <= TIMELINE_MAX_ENTRIES) return [...timeline];
  const head = timeline.slice(0, TIMELINE_KEEP_FIRST);
  const tailLength = TIMELINE_COMPACTED_ENTRIES - TIMELINE_KEEP_FIRST - 1;
  const tail = timeline.slice(timeline.length - tailLength);
  const left = timeline.slice(TIMELINE_KEEP_FIRST, timeline.length - tailLength);
  const dropped = left.reduce((sum, e) => sum + (e.step === 'timeline' && e.dropped ? e.dropped : 1), 0);
  // `left` is never empty here (more than TIMELINE_MAX_ENTRIES in, fewer kept): the marker takes its last entry's time.
  const last = left[left.length - 1];
  return [...head, droppedMarker(dropped, last ? last.at : ((tail[0] ?? head[head.length - 1])?.at ?? '')), ...tail];
}

/** A new record, `queued` unless `fields` say otherwise, whose timeline starts with the intake entry. */
export function newRecord(fields: Pick<Deployment, 'id' | 'target' | 'release' | 'trigger'> & Partial<Deployment>, message: string, now: string): Deployment {
  return {
    status: 'queued',
    requestedAt: now,
    startedAt: now,
    updatedAt: now,
    trafficPercent: 0,
    timeline: [{ at: now, step: 'intake', status: fields.status ?? 'queued', message }],
    ...fields,
  };
}
