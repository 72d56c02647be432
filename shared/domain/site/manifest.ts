import { z } from 'zod';

const fileSchema = z
  .object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: z.number().int().min(0),
    contentType: z.string(),
    cacheControl: z.string(),
  })
  .strict();

/**
 * Path → file. Not `z.record`: zod builds its output by assignment and skips the key `__proto__`, so
 * a file stored under that name would silently vanish from the manifest (and never be invalidated
 * once removed). Each file is checked with `fileSchema` and copied with `Object.fromEntries`, which
 * defines own properties, `__proto__` included.
 */
const filesSchema = z
  .custom<Record<string, unknown>>((raw) => typeof raw === 'object' && raw !== null && !Array.isArray(raw), 'expected an object of files by path')
  .transform((raw, ctx) => {
    const files: [string, ManifestFile][] = [];
    for (const [path, value] of Object.entries(raw)) {
      const file = fileSchema.safeParse(value);
      if (file.success) files.push([path, file.data]);
      else for (const issue of file.error.issues) ctx.addIssue({ ...issue, path: [path, ...issue.path] });
    }
    return Object.fromEntries(files) as Record<string, ManifestFile>;
  });

/**
 * The runtime config a version was staged with: its file is one of `files`; the values are kept so
 * the next deployment can say what it changes, and a rollback what comes back (they are public: the
 * file is served to every viewer).
 */
const manifestRuntimeConfigSchema = z
  .object({
    path: z.string(),
    /** configurationDigest of the target's runtimeConfig ({ path, values }). */
    digest: z.string().regex(/^[0-9a-f]{64}$/),
    values: z.record(z.string(), z.unknown()),
  })
  .strict();

/** What a staged version holds; written last, so a version without one is never switched to. */
export const manifestSchema = z
  .object({
    /** The release name (without the config digest of the version). */
    release: z.string(),
    createdAt: z.string(),
    /** sha256 of the zip the release was staged from. */
    artifactSha256: z.string().optional(),
    runtimeConfig: manifestRuntimeConfigSchema.optional(),
    files: filesSchema,
  })
  .strict();

export type ManifestRuntimeConfig = z.infer<typeof manifestRuntimeConfigSchema>;

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

/**
 * Path by path, what the next release changes against the live one (everything is added without
 * one). Maps, not property lookups: a path may be named `constructor` or `toString`.
 */
export function diffManifests(previous: SiteManifest | undefined, next: SiteManifest): ManifestDiff {
  const diff: ManifestDiff = { added: [], changed: [], removed: [], unchanged: [] };
  const before = new Map(Object.entries(previous?.files ?? {}));
  const after = new Map(Object.entries(next.files));
  for (const [path, file] of after) {
    const old = before.get(path);
    if (!old) diff.added.push(path);
    else if (sameFile(old, file)) diff.unchanged.push(path);
    else diff.changed.push(path);
  }
  for (const path of before.keys()) if (!after.has(path)) diff.removed.push(path);
  for (const list of Object.values(diff)) list.sort();
  return diff;
}
