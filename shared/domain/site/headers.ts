import mime from 'mime';
import picomatch from 'picomatch';

export interface CacheControlRule {
  match: string;
  value: string;
}

export interface FileHeaders {
  contentType: string;
  cacheControl: string;
}

/** Entry points a browser must revalidate: their names never change between releases. */
export const REVALIDATE = 'public, max-age=0, must-revalidate';
/** Fingerprinted assets: a new content gets a new name, so the old one may be cached for good. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (images under fixed names, fonts, …): an hour, then the CDN and browsers ask again. */
export const DEFAULT_CACHE = 'public, max-age=3600';

const ENTRY_POINTS =
  /(^|\/)(index\.html?|[^/]+\.html?|sw\.js|service-worker\.js|manifest\.json|[^/]+\.webmanifest|robots\.txt|sitemap\.xml|favicon\.ico|\.well-known\/.*)$/i;

/** Class runs of a token: `3f9a1c2b` has 8, `cafe2024` 2, `BQxJkLmN` 7 ("-" and "_" are skipped). */
function classRuns(token: string): number {
  const classes = [...token.replace(/[-_]/g, '')].map((c) => (/\d/.test(c) ? 'd' : /[A-Z]/.test(c) ? 'U' : 'l'));
  return classes.filter((c, i) => c !== classes[i - 1]).length;
}

/**
 * Hex as webpack `[contenthash]`, Parcel, CRA, Angular, Next.js and Gatsby write it: 8+ lowercase hex
 * digits that alternate between letters and digits at least twice, so `20240101` (digits only) and
 * `cafe2024` (a word and a number) are not taken for one.
 */
function isHexHash(token: string): boolean {
  return /^[0-9a-f]{8,}$/.test(token) && classRuns(token) >= 3;
}

/**
 * The 8 characters Rollup/Vite (base64url, `[name]-[hash]`) and esbuild (base32) append. Words
 * look alike at that length, so it takes an uppercase letter (kebab-case names have none), a mix
 * of 4+ runs of upper, lower and digits (not `ISO27001`, `4K-HDR10`, `1024X768`), and no lowercase
 * run that reads like a word (3+ letters with a vowel: `HeaderBG`, `Q3Report`). The hashes it misses
 * — about a fifth of Rollup's (`DiwrgTda`) and most of esbuild's all-capital ones (`FFHMD2TL`) —
 * only fall back to the hour-long default.
 */
function isBundlerHash(token: string): boolean {
  return (
    /^[A-Za-z0-9_-]{8}$/.test(token) && /[A-Z]/.test(token) && classRuns(token) >= 4 && !(token.match(/[a-z]{3,}/g) ?? []).some((run) => /[aeiouy]/.test(run))
  );
}

/**
 * Whether a file name carries a content hash, so the file can be cached for a year. Only the name
 * counts, and every part but the extension is looked at (`main.0a1b2c3d.chunk.js`, `app.3f9a1c2b.js.map`):
 * a hex hash as a `.`/`-` separated piece (the whole leading piece only from 16 characters, as
 * Next.js names CSS and fonts: `4f5e6d7c8b9a0b1c.css`), or a bundler hash after the last `-` of a
 * part (`index-C-8dkcjC.js`, the hash may itself hold `-`). When unsure it answers no: a file wrongly
 * marked immutable stays stale in browsers for a year, one wrongly left out is asked for again
 * after an hour.
 */
export function isFingerprinted(path: string): boolean {
  const parts = path
    .slice(path.lastIndexOf('/') + 1)
    .split('.')
    .slice(0, -1);
  return parts.some((part, p) => {
    const pieces = part.split('-');
    const hex = pieces.some((piece, i) => isHexHash(piece) && (p > 0 || i > 0 || piece.length >= 16));
    const tail = part.length > 9 && part[part.length - 9] === '-' && isBundlerHash(part.slice(-8));
    return hex || tail;
  });
}

export function contentTypeOf(path: string): string {
  const type = mime.getType(path) ?? 'application/octet-stream';
  return /^text\/|^application\/(javascript|json|xml|manifest\+json)|\+xml$/.test(type) ? `${type}; charset=utf-8` : type;
}

export function defaultCacheControl(path: string): string {
  if (ENTRY_POINTS.test(path)) return REVALIDATE;
  if (isFingerprinted(path)) return IMMUTABLE;
  return DEFAULT_CACHE;
}

/**
 * Builds the header function for a site target: its `cacheControl` rules in order, first match
 * wins (globs on the path inside the release, e.g. `assets/**`, `*.html`, `**\/*.woff2`), then the
 * defaults above.
 */
export function headersFor(rules: CacheControlRule[]): (path: string) => FileHeaders {
  const matchers = rules.map((rule) => ({ test: picomatch(rule.match, { dot: true }), value: rule.value }));
  return (path) => ({
    contentType: contentTypeOf(path),
    cacheControl: matchers.find((m) => m.test(path))?.value ?? defaultCacheControl(path),
  });
}

/**
 * A site's runtime config file: it changes with every environment and config-only deployment under
 * a fixed name, so browsers must ask again each time (`no-cache`: they may keep it, but revalidate
 * by its ETag before use), unless a `cacheControl` rule matches its path. Always JSON.
 */
export const RUNTIME_CONFIG_CACHE = 'no-cache';
export const RUNTIME_CONFIG_CONTENT_TYPE = 'application/json; charset=utf-8';

export function runtimeConfigHeaders(rules: CacheControlRule[], path: string): FileHeaders {
  const rule = rules.find((r) => picomatch(r.match, { dot: true })(path));
  return { contentType: RUNTIME_CONFIG_CONTENT_TYPE, cacheControl: rule?.value ?? RUNTIME_CONFIG_CACHE };
}
