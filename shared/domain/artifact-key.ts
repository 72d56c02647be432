import { releaseNameProblem, TARGET_NAME, TARGET_NAME_RULE } from './names.js';

export interface ReleaseKey {
  target: string;
  release: string;
}

const PREFIX = 'releases/';
const SUFFIX = '.zip';
const LAYOUT = 'releases/<target>/<release>.zip';

/** The artifact bucket key of a release: `releases/<target>/<release>.zip`. */
export function releaseKey(target: string, release: string): string {
  return `${PREFIX}${target}/${release}${SUFFIX}`;
}

/** A key of the artifact bucket read against the layout: the release it holds, or why it holds none. */
export type ReleaseKeyReading = ({ ok: true } & ReleaseKey) | { ok: false; reason: string };

/** Reads a key against the artifact bucket layout; for any key outside it, says why in words for people. */
export function readReleaseKey(key: string): ReleaseKeyReading {
  const outside = (why: string): ReleaseKeyReading => ({ ok: false, reason: `the key is outside ${LAYOUT}: ${why}` });
  if (!key.startsWith(PREFIX)) return outside(`it does not start with "${PREFIX}"`);
  if (!key.endsWith(SUFFIX)) return outside(`it does not end with "${SUFFIX}" (lower case)`);
  const parts = key.slice(PREFIX.length, -SUFFIX.length).split('/');
  if (parts.length !== 2) return outside(`it has ${parts.length - 1} "/" after "${PREFIX}" instead of one`);
  const [target, release] = parts as [string, string];
  if (!TARGET_NAME.test(target)) return outside(`the target name "${target}" ${TARGET_NAME_RULE}`);
  const problem = releaseNameProblem(release);
  if (problem) return outside(`the release name "${release}" ${problem}`);
  return { ok: true, target, release };
}

/** Parses a key of the artifact bucket layout; `undefined` for any key outside it (readReleaseKey says why). */
export function parseReleaseKey(key: string): ReleaseKey | undefined {
  const reading = readReleaseKey(key);
  return reading.ok ? { target: reading.target, release: reading.release } : undefined;
}

/** S3 event notifications URL-encode object keys (spaces as `+`). */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** Lambda refuses deployment packages larger than this once unzipped (262,144,000 bytes). */
export const LAMBDA_MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

/** The most one S3 PUT takes (5 GiB): a presigned upload is one PUT. */
export const S3_MAX_PUT_BYTES = 5 * 1024 ** 3;

/** Where a function component's own zip is written: outside `releases/`, so no notification sees it. */
export const COMPONENT_PACKAGE_PREFIX = 'components/';

/** `components/<app>/<deployment>/<component>.zip` in the artifact bucket. */
export function componentPackageKey(app: string, deploymentId: string, component: string): string {
  return `${COMPONENT_PACKAGE_PREFIX}${app}/${deploymentId}/${component}.zip`;
}
