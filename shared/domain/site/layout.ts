import { configurationDigest, shortDigest } from '../configuration.js';
import { isReleaseName } from '../names.js';
import type { SiteTarget } from '../target.js';

/**
 * Where a site target's releases live in its origin bucket:
 *   <prefix><version>/…                               the files, served through the origin path
 *   <prefix>.slipway/manifests/<version>.json          written last: a version without one is never switched to
 *   <prefix>.slipway/staging/<deployment>/<chunk>.json what each staging Task wrote
 *   <prefix>.slipway/plans/<deployment>.json           the paths to invalidate
 * `.slipway/` sits beside the release prefixes, outside every origin path, so viewers never see it.
 */
export const CONTROL_DIR = '.slipway/';

/**
 * A site's *version* is what one release prefix holds, and what records keep as `fromVersion` and
 * `toVersion`: the release name alone for a target without a runtime config (`r1`, the layout of
 * every site before runtime configs), or the release and the first 12 hex digits of its runtime
 * config's digest (`r1~3f9a1c2b4d5e`). So every (release, runtime config) pair has a prefix of its
 * own that nothing writes into once it is staged: a config-only deployment stages a new prefix and
 * switches to it like any release, and a rollback switches back to the old prefix with the old file.
 * `~` is never in a release name (names.ts), so no release name reads as another one's version; it
 * is an RFC 3986 unreserved character, sent as it is in S3 keys, CloudFront origin paths and
 * SigV4-signed paths (it is on S3's "avoid" list only for tools that mishandle URL encoding).
 */
export const CONFIG_SEPARATOR = '~';
const CONFIG_VERSION = /^(.+)~([0-9a-f]{12})$/;

/** The version of `release` staged with a runtime config of this digest (none: the release alone). */
export function siteVersion(release: string, runtimeConfigDigest?: string): string {
  return runtimeConfigDigest ? `${release}${CONFIG_SEPARATOR}${shortDigest(runtimeConfigDigest)}` : release;
}

/** The version this target stages `release` as: with its runtime config's digest when it has one. */
export function siteVersionFor(target: SiteTarget, release: string): string {
  return siteVersion(release, target.runtimeConfig ? configurationDigest(target.runtimeConfig) : undefined);
}

/** A version's release name and, when it was staged with a runtime config, that config's short digest. */
export function parseSiteVersion(version: string): { release: string; configDigest?: string } {
  const match = CONFIG_VERSION.exec(version);
  return match?.[1] && match[2] ? { release: match[1], configDigest: match[2] } : { release: version };
}

/** `<prefix><version>/`: where a version's files are. */
export function releasePrefix(target: SiteTarget, version: string): string {
  return `${target.site.prefix}${version}/`;
}

export function originPathOf(target: SiteTarget, version: string): string {
  return `/${target.site.prefix}${version}`;
}

/**
 * The version an origin path serves (`r1` or `r1~3f9a1c2b4d5e`), when it is one of this target's
 * release prefixes: a release name, with at most a config digest after `~`.
 */
export function releaseOfOriginPath(target: SiteTarget, originPath: string): string | undefined {
  const base = `/${target.site.prefix}`;
  if (!originPath.startsWith(base)) return undefined;
  const rest = originPath.slice(base.length);
  if (!rest || rest.includes('/')) return undefined;
  if (!rest.includes(CONFIG_SEPARATOR)) return rest;
  return isReleaseName(parseSiteVersion(rest).release) && CONFIG_VERSION.test(rest) ? rest : undefined;
}

/**
 * The file a viewer URL's path is served from, as CloudFront with a default root object serves it:
 * `/` → `index.html`, `/dir/` → `dir/index.html`. Undefined for a path that could escape the
 * release prefix.
 */
export function fileOfUrlPath(urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const segments = decoded.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.' || s.includes('\\') || s.includes('\0'))) return undefined;
  const path = segments.join('/');
  return path === '' || path.endsWith('/') ? `${path}index.html` : path;
}

export function manifestKey(target: SiteTarget, version: string): string {
  return `${target.site.prefix}${CONTROL_DIR}manifests/${version}.json`;
}

export function stagingPrefix(target: SiteTarget, deploymentId: string): string {
  return `${target.site.prefix}${CONTROL_DIR}staging/${deploymentId}/`;
}

export function stagingKey(target: SiteTarget, deploymentId: string, chunk: number): string {
  return `${stagingPrefix(target, deploymentId)}${chunk}.json`;
}

export function planKey(target: SiteTarget, deploymentId: string): string {
  return `${target.site.prefix}${CONTROL_DIR}plans/${deploymentId}.json`;
}
