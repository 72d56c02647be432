import type { SiteTarget } from '../target.js';

/**
 * Where a site target's releases live in its origin bucket:
 *   <prefix><release>/…                               the files, served through the origin path
 *   <prefix>.slipway/manifests/<release>.json          written last: a release without one is never switched to
 *   <prefix>.slipway/staging/<deployment>/<chunk>.json what each staging Task wrote
 *   <prefix>.slipway/plans/<deployment>.json           the paths to invalidate
 * `.slipway/` sits beside the release prefixes, outside every origin path, so viewers never see it.
 */
export const CONTROL_DIR = '.slipway/';

export function releasePrefix(target: SiteTarget, release: string): string {
  return `${target.site.prefix}${release}/`;
}

export function originPathOf(target: SiteTarget, release: string): string {
  return `/${target.site.prefix}${release}`;
}

/** The release an origin path serves, when it is one of this target's release prefixes. */
export function releaseOfOriginPath(target: SiteTarget, originPath: string): string | undefined {
  const base = `/${target.site.prefix}`;
  if (!originPath.startsWith(base)) return undefined;
  const rest = originPath.slice(base.length);
  return rest && !rest.includes('/') ? rest : undefined;
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

export function manifestKey(target: SiteTarget, release: string): string {
  return `${target.site.prefix}${CONTROL_DIR}manifests/${release}.json`;
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
