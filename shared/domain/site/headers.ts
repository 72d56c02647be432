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

const ENTRY_POINTS = /(^|\/)(index\.html?|[^/]+\.html?|sw\.js|service-worker\.js|manifest\.json|manifest\.webmanifest|robots\.txt|sitemap\.xml|favicon\.ico|\.well-known\/.*)$/i;

/**
 * A file name carrying a content hash: `app.3f9a1c2b.js`, `main-BQ7x9kLm.css`, `chunk.5d41402abc4b2a76.mjs`.
 * The hash is at least 8 characters of hex or base36/base64url and must contain a digit, so
 * `about-company.css` is not taken for one.
 */
const FINGERPRINT = /[.-](?=[A-Za-z0-9_]*\d)[A-Za-z0-9_]{8,}\.[a-z0-9]+$/;

export function contentTypeOf(path: string): string {
  const type = mime.getType(path) ?? 'application/octet-stream';
  return /^text\/|^application\/(javascript|json|xml|manifest\+json)|\+xml$/.test(type) ? `${type}; charset=utf-8` : type;
}

export function defaultCacheControl(path: string): string {
  if (ENTRY_POINTS.test(path)) return REVALIDATE;
  if (FINGERPRINT.test(path)) return IMMUTABLE;
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
