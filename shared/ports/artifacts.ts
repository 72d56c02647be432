/** The artifact bucket: what a release object is, and whether Lambda would take it. */
import type { ArtifactRef } from '../domain/deployment.js';

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
