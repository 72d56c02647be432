import type { ArtifactRef } from '../domain/deployment.js';
import type { SiteLimits } from '../domain/site/entry-rules.js';
import type { ManifestFile } from '../domain/site/manifest.js';
import type { SiteTrafficConfig } from '../domain/site-canary.js';

/**
 * Ports of the static site pipeline (kind: "site" targets): the origin bucket a release is staged
 * into, and the CloudFront distribution whose origin path selects the live release.
 */
export interface OriginSwitch {
  /** The origin path the distribution serves now (`/prefix/release`), for the origin on `bucket`. */
  currentOriginPath(distributionId: string, bucket: string): Promise<string>;
  /**
   * Points the origin on `bucket` at `originPath`, guarded by the distribution's ETag (IfMatch);
   * re-reads and tries again when another change won the race. A no-op when already there.
   */
  switchOriginPath(distributionId: string, bucket: string, originPath: string): Promise<void>;
  /**
   * Whether every edge runs the distribution's latest config (Status `Deployed`, not `InProgress`).
   * Invalidating before that lets an edge still on the old origin path cache old files again.
   */
  isDistributionDeployed(distributionId: string): Promise<boolean>;
}

/** One Map iteration of site staging: central-directory entries [start, end). */
export interface StagingChunk {
  index: number;
  start: number;
  end: number;
}

/**
 * Where Prepare writes a site's staging plan, a JSON array of chunks: in slipway's artifact bucket,
 * which the StageSite Map's ItemReader reads in AWS. The workflow state carries only its key.
 */
export interface StagingPlanWriter {
  /** Writes `chunks` as a JSON array under `key`; returns where. */
  writePlan(key: string, chunks: readonly StagingChunk[]): Promise<{ bucket: string; key: string }>;
}

export interface SiteStore {
  /** A JSON document (manifest, staging record), or undefined when there is none. */
  readJson(bucket: string, key: string): Promise<unknown | undefined>;
  writeJson(bucket: string, key: string, value: unknown): Promise<void>;
  /** A file served to viewers (a site's runtime config), with its headers; S3 checks its sha256. */
  putFile(bucket: string, key: string, body: string, file: { contentType: string; cacheControl: string; sha256: string }): Promise<void>;
  /** The "folders" directly under `prefix` (each `<prefix><name>/`). */
  listReleasePrefixes(bucket: string, prefix: string): Promise<string[]>;
  /** Deletes every object under `prefix`; returns how many. */
  deletePrefix(bucket: string, prefix: string): Promise<number>;
}

export interface StageChunkRequest {
  artifact: ArtifactRef;
  artifactSize: number;
  /** Entry indexes, in central directory order, [start, end). */
  start: number;
  end: number;
  bucket: string;
  /** Where this release's files go: `<prefix><release>/`. */
  releasePrefix: string;
  /** The live release, to copy unchanged files from instead of uploading them again. */
  previous?: { releasePrefix: string; files: Record<string, { sha256: string }> };
  headersFor(path: string): { contentType: string; cacheControl: string };
  /** Entries staged at once. */
  concurrency?: number;
  /** An app's site (e.g. `web/`): only entries under this folder are staged, at their paths inside it; others in [start, end) are skipped. */
  folder?: string;
}

export interface StageChunkResult {
  files: Record<string, ManifestFile>;
  uploaded: { files: number; bytes: number };
  copied: { files: number; bytes: number };
}

export interface SiteZipInspection {
  /** Central directory records, directories included: the index space staging chunks split. */
  entries: number;
  files: number;
  uncompressedBytes: number;
}

export interface SiteStager {
  /** Checks every entry against the hostile-archive rules before anything is written. */
  /** With `folder` (an app's site, e.g. `web/`): only the entries under it, judged by their paths inside it. */
  inspect(artifact: ArtifactRef, artifactSize: number, limits: SiteLimits, folder?: string): Promise<SiteZipInspection>;
  stageChunk(request: StageChunkRequest): Promise<StageChunkResult>;
}

/** A staging distribution of a site's primary (CloudFront continuous deployment, docs/sites.md). */
export interface StagingDistribution {
  id: string;
  domainName: string;
}

/**
 * A site canary through CloudFront continuous deployment. The staging distribution is made once
 * per primary (a copy), kept and reused; the policy is one per primary, attached for a canary and
 * detached after it. Every call is idempotent.
 */
export interface SiteCanaryRouter {
  /**
   * The primary's staging distribution, copied from it when there is none yet, its config made
   * the primary's again (less aliases and policy) with the S3 origin on `bucket` at `originPath`.
   */
  prepareStaging(primaryId: string, bucket: string, originPath: string): Promise<StagingDistribution>;
  /**
   * Points the primary's continuous-deployment policy at the staging distribution with this
   * traffic, and attaches it. Returns the policy id and the primary's ETag after the attach, for `promote`.
   */
  attachPolicy(primaryId: string, staging: StagingDistribution, traffic: SiteTrafficConfig): Promise<{ policyId: string; primaryEtag: string }>;
  /**
   * The primary takes the staging's configuration (UpdateDistributionWithStagingConfig) when the
   * primary has not changed since `attachPolicy` (its ETag); otherwise only the primary's origin path moves
   * (so a change made to the primary during the bake is kept). Then the policy is detached.
   */
  promote(primaryId: string, stagingId: string, primaryEtag: string, bucket: string, originPath: string): Promise<'staging-config' | 'origin-path'>;
  /** Detaches (and disables) the primary's policy: every viewer on the primary. A no-op without one. */
  detachPolicy(primaryId: string): Promise<void>;
}
