import type { ManifestDiff } from './manifest.js';

/** CloudFront's limits for invalidations in progress on one distribution. */
export const CLOUDFRONT_LIMITS = { filePaths: 3000, wildcardPaths: 15 } as const;

export interface InvalidationPlan {
  paths: string[];
  /** How many of `paths` end in `*`. */
  wildcards: number;
}

export interface PlanOptions {
  maxFilePaths?: number;
  maxWildcards?: number;
  /**
   * A directory whose changed files outnumber this becomes one `/dir/*` path: CloudFront bills a
   * wildcard as one path, and it stays within the file-path limit.
   */
  collapseAbove?: number;
}

/**
 * Characters an invalidation path must percent-encode, following CloudFront's guidance: anything
 * outside printable ASCII (controls, space, non-ASCII — as UTF-8 bytes), the RFC 1738 unsafe
 * characters `" < > # % { } | \ ^ ~ [ ] \``, `?` (it would start a query string) and `*` (a wildcard,
 * only meant at the end of a path). Every other reserved character (`@ + : ; = & $ , ! ' ( )`) stays
 * raw: CloudFront compares the path with the cached URL as the viewer sent it, and browsers send
 * those raw, so `/logo%402x.png` would miss the object cached as `/logo@2x.png`.
 */
const MUST_ENCODE = /[^\x21-\x7e]|["<>#%{}|\\^~[\]`?*]/gu;

function percentEncode(char: string): string {
  return [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

function urlPath(path: string): string {
  return `/${path.replace(MUST_ENCODE, percentEncode)}`;
}

/** The URL paths a viewer reaches a file by: its own, and `/dir/` (and `/`) for an index.html. */
function viewerPaths(path: string): string[] {
  const paths = [urlPath(path)];
  if (path === 'index.html') paths.push('/');
  else if (path.endsWith('/index.html')) paths.push(urlPath(path.slice(0, -'index.html'.length)));
  return paths;
}

function parentDir(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? '' : path.slice(0, cut + 1);
}

/**
 * The paths to invalidate after switching releases: exactly the ones whose content differs
 * (changed, added — a cached 404 — and removed), with `/dir/` and `/` for index pages. A directory
 * with more than `collapseAbove` differing files becomes `/dir/*`; when the result still exceeds
 * CloudFront's limits (3,000 file paths, 15 wildcards) the plan is `/*`.
 */
export function planInvalidation(diff: ManifestDiff, options: PlanOptions = {}): InvalidationPlan {
  const maxFiles = options.maxFilePaths ?? CLOUDFRONT_LIMITS.filePaths;
  const maxWildcards = options.maxWildcards ?? CLOUDFRONT_LIMITS.wildcardPaths;
  const collapseAbove = options.collapseAbove ?? 100;
  const differing = [...diff.changed, ...diff.added, ...diff.removed];
  if (differing.length === 0) return { paths: [], wildcards: 0 };

  const byDir = new Map<string, string[]>();
  for (const path of differing) {
    const dir = parentDir(path);
    const paths = byDir.get(dir);
    if (paths) paths.push(path);
    else byDir.set(dir, [path]);
  }
  const files = new Set<string>();
  const wildcards = new Set<string>();
  for (const [dir, paths] of byDir) {
    if (dir !== '' && paths.length > collapseAbove) wildcards.add(`${urlPath(dir.slice(0, -1))}/*`);
    else for (const path of paths) for (const viewer of viewerPaths(path)) files.add(viewer);
  }
  // An index page in a collapsed directory is also reached as `/dir/`, which `/dir/*` covers.
  for (const wildcard of wildcards) {
    const prefix = wildcard.slice(0, -1);
    for (const file of files) if (file.startsWith(prefix)) files.delete(file);
  }
  if (files.size > maxFiles || wildcards.size > maxWildcards) return { paths: ['/*'], wildcards: 1 };
  return { paths: [...wildcards, ...files].sort(), wildcards: wildcards.size };
}

/** Deterministic per deployment, phase and attempt: a retried Task repeats, never duplicates. */
export function callerReference(deploymentId: string, phase: 'switch' | 'rollback', attempt = 1): string {
  return `${deploymentId}-${phase}-${attempt}`.slice(0, 128);
}
