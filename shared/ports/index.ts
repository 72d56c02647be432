/**
 * The ports the use cases need. Adapters in `shared/adapters/aws` implement them with AWS SDK v3
 * clients; tests may substitute in-memory fakes.
 */
import type { Target } from '../domain/target.js';
import type { ArtifactRef, Deployment, DeploymentStatus, TimelineEntry } from '../domain/deployment.js';
import type { Datapoint } from '../domain/traffic-profile.js';

export interface TargetStore {
  put(target: Target): Promise<void>;
  get(name: string): Promise<Target | undefined>;
  list(): Promise<Target[]>;
}

export interface DeploymentPatch {
  status?: DeploymentStatus;
  reason?: string;
  fromVersion?: string;
  toVersion?: string;
  trafficPercent?: number;
  sha256?: string;
  endedAt?: string;
  bakeEndsAt?: string;
  startsAt?: string;
  notBefore?: string;
  /** Sites: the origin path before the deployment, when it was not a slipway release prefix. */
  fromOriginPath?: string;
}

export interface DeploymentStore {
  /** Creates the record unless one with the same id exists; returns the stored record either way. */
  create(deployment: Deployment): Promise<{ created: boolean; deployment: Deployment }>;
  get(id: string): Promise<Deployment | undefined>;
  /**
   * Applies a patch and appends a timeline entry. Refuses (returns undefined) when the record is
   * already terminal, so a late retry can never overwrite a final status; with
   * `unlessCancelRequested` also when a cancel was requested (the write that declares success).
   */
  update(id: string, patch: DeploymentPatch, entry: Omit<TimelineEntry, 'at'>, options?: { unlessCancelRequested?: boolean }): Promise<Deployment | undefined>;
  /** Newest first by `requestedAt`. */
  listByTarget(target: string, options?: { limit?: number }): Promise<Deployment[]>;
}

/** The record before and after one update. */
export interface DeploymentTransition {
  before: Deployment;
  after: Deployment;
}

/** A store that can tell what an update changed (read in the same write, so no other writer slips in between). */
export interface DeploymentTransitions {
  /** `update`, returning the record as it was and as it is now; undefined where `update` refuses. */
  transition(
    id: string,
    patch: DeploymentPatch,
    entry: Omit<TimelineEntry, 'at'>,
    options?: { unlessCancelRequested?: boolean },
  ): Promise<DeploymentTransition | undefined>;
}

export interface LockStore {
  /** Takes the target's lock for the deployment; true when it holds it (also when it already did). */
  acquire(target: string, deploymentId: string): Promise<boolean>;
  /** Releases the lock when this deployment holds it; a no-op otherwise. */
  release(target: string, deploymentId: string): Promise<void>;
  holder(target: string): Promise<string | undefined>;
}

export interface AliasState {
  version: string;
  /** The new version and its weight (0..1) while traffic is split. */
  additional?: { version: string; weight: number };
  revisionId: string;
}

/*
 * What slipway does to a target's Lambda function, split by capability so that each Task's code
 * (and so its IAM role) holds only what it uses: reading the alias, moving it, publishing,
 * pruning, invoking hooks.
 */

export interface AliasReader {
  getAlias(fn: string, alias: string): Promise<AliasState>;
}

export interface AliasRouter extends AliasReader {
  /** Sets the alias; `additional` splits traffic. Guarded by the alias RevisionId. */
  updateAlias(
    fn: string,
    alias: string,
    routing: { version: string; additional?: { version: string; weight: number } },
    revisionId: string,
  ): Promise<AliasState>;
}

export interface PublishedVersion {
  version: string;
  codeSha256: string;
  description?: string;
}

export interface VersionCatalog {
  /** Published versions ($LATEST excluded). */
  listVersions(fn: string): Promise<PublishedVersion[]>;
}

/** What weighted alias routing and readiness depend on, read with GetFunctionConfiguration. */
export interface VersionConfiguration {
  codeSha256: string;
  /** Execution role ARN. */
  role: string;
  /** The dead-letter queue or topic ARN; absent when none is configured. */
  deadLetterTargetArn?: string;
  /** Pending, Active, Inactive or Failed (absent in old answers: treat as Active). */
  state?: string;
  stateReasonCode?: string;
  stateReason?: string;
}

export interface VersionPublisher extends VersionCatalog {
  /** Base64 CodeSha256 of a published version (or $LATEST). */
  codeSha256(fn: string, qualifier: string): Promise<string>;
  /** The configuration of a published version (or $LATEST). */
  versionConfiguration(fn: string, qualifier: string): Promise<VersionConfiguration>;
  /**
   * Waits, bounded, until a published version is State Active with LastUpdateStatus Successful
   * (SnapStart and large packages stay Pending for a while). Throws VersionFailedError when Lambda
   * reports Failed, TransientError when it is still Pending at the deadline.
   */
  awaitVersionActive(fn: string, version: string): Promise<VersionConfiguration>;
  /** Points $LATEST at the exact S3 object; returns the new RevisionId once the update is Successful. */
  updateCode(fn: string, artifact: ArtifactRef): Promise<{ revisionId: string; codeSha256: string }>;
  /** Publishes $LATEST; rejected unless its code and revision are still the expected ones. */
  publishVersion(fn: string, guard: { codeSha256: string; revisionId: string }, description: string): Promise<string>;
}

export interface VersionPruner extends VersionCatalog {
  /** Versions an alias points at or splits traffic with. */
  aliasedVersions(fn: string): Promise<Set<string>>;
  deleteVersion(fn: string, version: string): Promise<void>;
}

export interface HookInvoker {
  /** Invokes a hook function synchronously; returns its JSON result or throws HookFailedError. */
  invokeHook(fn: string, payload: unknown): Promise<unknown>;
}

export interface ArtifactHead {
  size: number;
  versionId?: string;
  etag?: string;
  metadata: Record<string, string>;
}

export interface ArtifactInspection {
  sha256: string;
  entries: number;
  uncompressedBytes: number;
}

export interface ArtifactStore {
  head(ref: ArtifactRef): Promise<ArtifactHead | undefined>;
  /**
   * Reads the zip: its sha256, and its central directory. Throws ArtifactRejectedError for what Lambda would refuse.
   * `countInflatedBytes` also inflates every entry and refuses one whose real size is not the one it declares.
   */
  inspectZip(
    ref: ArtifactRef,
    limits: { maxUncompressedBytes: number; countInflatedBytes?: boolean },
    /** What `head(ref)` just answered, so the object is not asked again. */
    head?: ArtifactHead,
  ): Promise<ArtifactInspection>;
}

export interface ProbeResult {
  /** Why the probe failed; absent when it answered as expected. */
  failure?: string;
  /** sha256 (hex) of the body it answered with, so a site can check which release it served; absent when truncated. */
  bodySha256?: string;
  /** Body bytes read: all of them, or the cap when `truncated`. */
  bodyBytes?: number;
  /** The body was longer than the probe reads (PROBE_BODY_LIMIT_BYTES); the rest was never downloaded. */
  truncated?: boolean;
}

export interface ProbeRequest {
  url: string;
  expectStatus: number;
  timeoutMs: number;
  /** Let the probe reach link-local and instance metadata addresses (refused otherwise). */
  allowLinkLocal?: boolean;
}

/** A target's traffic, for deploy windows (suggestions and the `maxRequestsPerMinute` gate). */
export interface TrafficMetrics {
  /** Requests (function: invocations) per hour in [from, to), oldest first. */
  hourly(target: Target, from: Date, to: Date): Promise<Datapoint[]>;
  /** Requests in the latest reported minute of the last ten; undefined when none is reported. */
  currentPerMinute(target: Target, now: Date): Promise<number | undefined>;
}

export interface HealthSignals {
  /** Names of the given alarms that are in ALARM; MissingResourceError when any of them does not exist. */
  alarmsFiring(names: string[]): Promise<string[]>;
  /** `failure` when unhealthy (or refused), else what the body was. */
  probe(probe: ProbeRequest): Promise<ProbeResult>;
}

export interface Cdn {
  invalidate(distributionId: string, paths: string[], callerReference: string): Promise<string>;
  isInvalidationComplete(distributionId: string, invalidationId: string): Promise<boolean>;
}

export interface Orchestrator {
  /** Starts the workflow for a recorded deployment; starting one that already started is a no-op. */
  start(deploymentId: string): Promise<void>;
}

/** Publishes on the service's event bus (source "slipway"; detail types and schemas in shared/domain/events.ts). */
export interface DeploymentEvents {
  publish(detailType: string, detail: Record<string, unknown>): Promise<void>;
}

export interface Clock {
  now(): Date;
}
