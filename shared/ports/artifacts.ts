/** The artifact bucket: what a release object is, and whether Lambda would take it. */
import type { ArtifactRef } from '../domain/deployment.js';
import type { SiteLimits } from '../domain/site/entry-rules.js';

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

/** An app's zip (docs/apps.md): one top-level folder per component, named as the component. */
export interface AppLayout {
  components: Record<string, { kind: 'function' } | { kind: 'site'; limits: SiteLimits }>;
}

export interface AppInspection extends ArtifactInspection {
  /** Each component that has a folder in the zip: its file entries and their bytes unzipped. A component without one is absent. */
  components: Record<string, { entries: number; uncompressedBytes: number }>;
}

export interface AppArtifacts {
  /**
   * Judges the whole zip before anything is written: every entry sits in a component's folder (a
   * top-level file, or a folder that names no component, is refused with its name); the
   * hostile-archive rules hold for every entry (shared/domain/site/entry-rules.ts); the site's
   * folder is within the site's limits; each function's folder unzips within Lambda's 250 MiB,
   * its inflated bytes counted. Throws ArtifactRejectedError naming the component and the entry.
   */
  inspectApp(ref: ArtifactRef, layout: AppLayout, head?: ArtifactHead): Promise<AppInspection>;
  /**
   * Writes the files under `folder` (e.g. `api/`, stripped from their paths) as a zip of their own
   * at `dest` (componentPackageKey), reproducibly: the same files give the same bytes (sorted paths, fixed timestamps,
   * modes 644/755), hence the same Lambda CodeSha256 from one release to the next.
   */
  packageComponent(ref: ArtifactRef, folder: string, dest: { bucket: string; key: string }): Promise<{ artifact: ArtifactRef; sha256: string; size: number }>;
}
