import { z } from 'zod';

const fileSchema = z
  .object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: z.number().int().min(0),
    contentType: z.string(),
    cacheControl: z.string(),
  })
  .strict();

/** What a staged release holds; written last, so a release without one is never switched to. */
export const manifestSchema = z
  .object({
    release: z.string(),
    createdAt: z.string(),
    /** sha256 of the zip the release was staged from. */
    artifactSha256: z.string().optional(),
    files: z.record(z.string(), fileSchema),
  })
  .strict();

export type SiteManifest = z.infer<typeof manifestSchema>;
export type ManifestFile = z.infer<typeof fileSchema>;

export interface ManifestDiff {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
}

/** A file changed when its bytes or the headers it is served with changed. */
function sameFile(a: ManifestFile, b: ManifestFile): boolean {
  return a.sha256 === b.sha256 && a.contentType === b.contentType && a.cacheControl === b.cacheControl;
}

/** Path by path, what the next release changes against the live one (everything is added without one). */
export function diffManifests(previous: SiteManifest | undefined, next: SiteManifest): ManifestDiff {
  const diff: ManifestDiff = { added: [], changed: [], removed: [], unchanged: [] };
  const before = previous?.files ?? {};
  for (const [path, file] of Object.entries(next.files)) {
    const old = before[path];
    if (!old) diff.added.push(path);
    else if (sameFile(old, file)) diff.unchanged.push(path);
    else diff.changed.push(path);
  }
  for (const path of Object.keys(before)) if (!(path in next.files)) diff.removed.push(path);
  for (const list of Object.values(diff)) list.sort();
  return diff;
}
