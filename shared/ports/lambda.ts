/** What slipway does to a target's Lambda function: its alias, its versions, its hooks. */
import type { ArtifactRef } from '../domain/deployment.js';

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
  /** The version's SLIPWAY_CONFIG_DIGEST variable: the digest of the configuration slipway published with it (values are never read out). */
  configDigest?: string;
}

/** What UpdateFunctionConfiguration sets on $LATEST before a version is published with it. */
export interface FunctionSettings {
  /** The whole environment (it replaces what $LATEST had): secret values included, so never logged or recorded. */
  environment: Record<string, string>;
  memorySize?: number;
  timeout?: number;
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
  /**
   * Sets $LATEST's configuration and waits, bounded, until LastUpdateStatus is Successful.
   * VersionFailedError when Lambda reports Failed, ValidationError when it refuses the settings,
   * TransientError when the update is still in progress at the deadline.
   */
  updateConfiguration(fn: string, settings: FunctionSettings): Promise<void>;
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

/** A version's or an alias's provisioned concurrency, as GetProvisionedConcurrencyConfig reads it. */
export interface ConcurrencyAllocation {
  requested: number;
  allocated: number;
  available: number;
  status: 'IN_PROGRESS' | 'READY' | 'FAILED';
  /** Why a FAILED allocation failed (an init error, say): Lambda's own words. */
  statusReason?: string;
}

export interface ConcurrencyReader {
  /** The provisioned concurrency configured on a version or an alias; undefined when it has none. */
  allocation(fn: string, qualifier: string): Promise<ConcurrencyAllocation | undefined>;
}

export interface ConcurrencyAllocator extends ConcurrencyReader {
  /** Asks for `amount` on a published version (PutProvisionedConcurrencyConfig); Lambda allocates it asynchronously. */
  allocate(fn: string, version: string, amount: number): Promise<ConcurrencyAllocation>;
}

export interface ConcurrencyReleaser extends ConcurrencyReader {
  /** Deletes a version's provisioned concurrency configuration; false when it had none (released already). */
  release(fn: string, version: string): Promise<boolean>;
}
