import { RELEASE_NAME, TARGET_NAME } from './target.js';

export interface ReleaseKey {
  target: string;
  release: string;
}

const PREFIX = 'releases/';
const SUFFIX = '.zip';

/** The artifact bucket key of a release: `releases/<target>/<release>.zip`. */
export function releaseKey(target: string, release: string): string {
  return `${PREFIX}${target}/${release}${SUFFIX}`;
}

/** Parses a key of the artifact bucket layout; `undefined` for any key outside it. */
export function parseReleaseKey(key: string): ReleaseKey | undefined {
  if (!key.startsWith(PREFIX) || !key.endsWith(SUFFIX)) return undefined;
  const parts = key.slice(PREFIX.length, -SUFFIX.length).split('/');
  if (parts.length !== 2) return undefined;
  const [target, release] = parts as [string, string];
  if (!TARGET_NAME.test(target) || !RELEASE_NAME.test(release)) return undefined;
  return { target, release };
}

/** S3 event notifications URL-encode object keys (spaces as `+`). */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
