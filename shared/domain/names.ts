/**
 * The rules for names: a target's, a release's, and every name people read (zip entries, deploy
 * hooks, alarms, freeze labels). One place, so the API, the CLI, intake and staging agree.
 *
 * Every pattern here is written in the regex subset JSON Schema recommends (character classes with
 * explicit ranges, no `\d`, no `\p{…}`, no lookaround, no `u`-only syntax): the OpenAPI document
 * carries them as `pattern`, and validators outside JavaScript compile them too.
 */
import { z } from 'zod';

/** `[a-z0-9][a-z0-9-]{0,47}`: a target name (the `<target>` of the artifact key layout). */
export const TARGET_NAME = /^[a-z0-9][a-z0-9-]{0,47}$/;
export const TARGET_NAME_RULE = 'must match [a-z0-9][a-z0-9-]{0,47}';

/**
 * A release name (the `<release>` of `releases/<target>/<release>.zip`): 1–128 of `A-Z a-z 0-9 . _ -`,
 * not starting with a dot. A site release is staged under `<prefix><release>/`, so `.` and `..`
 * would climb out of it and `.slipway` would land in the control directory that holds the manifests.
 */
export const RELEASE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
export const RELEASE_NAME_RULE = 'must be 1 to 128 characters of A-Z a-z 0-9 . _ - and must not start with "."';

export const targetNameSchema = z.string().regex(TARGET_NAME, TARGET_NAME_RULE);

/** The one release name rule, as the API's request schemas take it. */
export const releaseNameSchema = z.string().regex(RELEASE_NAME, RELEASE_NAME_RULE);

export function isReleaseName(name: string): boolean {
  return RELEASE_NAME.test(name);
}

/** Why a release name is refused, in words for people; undefined for a good one. */
export function releaseNameProblem(name: string): string | undefined {
  if (RELEASE_NAME.test(name)) return undefined;
  if (name.startsWith('.')) return `starts with "." (".", ".." and ".slipway" are paths, not releases); a release name ${RELEASE_NAME_RULE}`;
  return RELEASE_NAME_RULE;
}

/**
 * Characters no human-visible name may hold, as the inside of a character class:
 * - C0 controls, DEL and C1 controls: invisible, and terminals act on some (U+001B is ESC, U+009B CSI);
 * - the bidirectional formatting characters: ALM (U+061C), LRM/RLM (U+200E, U+200F), the embeddings
 *   and overrides (U+202A–U+202E) and the isolates (U+2066–U+2069). `invoice\u202Egpj.exe` displays
 *   as `invoiceexe.jpg`, so a name with one reads as a different name.
 */
const INVISIBLE_CLASS = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const INVISIBLE = new RegExp(`[${INVISIBLE_CLASS}]`);
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** A name people can read as it is: none of the invisible characters above. */
export const VISIBLE_NAME = new RegExp(`^[^${INVISIBLE_CLASS}]*$`);
export const VISIBLE_NAME_RULE =
  'must not contain control characters (U+0000–U+001F, U+007F–U+009F) or bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069)';

function codePoint(char: string): string {
  return `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why a name people read is refused, naming the first offending character; undefined for a good one. */
export function visibleNameProblem(name: string): string | undefined {
  const found = INVISIBLE.exec(name);
  if (!found) return undefined;
  const char = found[0];
  if (BIDI.test(char)) return `has a bidirectional control character (${codePoint(char)}) in it, which makes it display as a different name`;
  if (char >= '\u0080') return `has a C1 control character (${codePoint(char)}) in it`;
  return `has a control character (${codePoint(char)}) in it`;
}

/**
 * The name in double quotes with every invisible character escaped, for messages: JSON.stringify
 * escapes C0 controls but leaves C1 and bidi controls raw, and a message must show the name as it is.
 */
export function quoteName(name: string): string {
  return JSON.stringify(name).replace(new RegExp(`[${INVISIBLE_CLASS}]`, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Free text that names something people pick from a list (a hook, a freeze): trimmed, visible, bounded. */
export function visibleNameSchema(maxLength: number) {
  return z.string().trim().min(1, 'must not be empty').max(maxLength, `must be at most ${maxLength} characters`).regex(VISIBLE_NAME, VISIBLE_NAME_RULE);
}
