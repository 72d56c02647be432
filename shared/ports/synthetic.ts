/** Synthetic traffic: invoking a canary version directly, by its qualified ARN (docs/analysis.md § Synthetic traffic). */
import type { SyntheticAnswer } from '../domain/analysis/synthetic.js';

export type { SyntheticAnswer } from '../domain/analysis/synthetic.js';

export interface SyntheticInvoker {
  /**
   * Invokes `fn` at `version` (never through an alias, so Lambda counts it apart from the alias's
   * traffic) with `event`, and reports what it answered within `timeoutMs`: its payload, a
   * function error or timeout (`failed`), or a throttle. A function or version that does not exist
   * is a MissingResourceError; other refusals are thrown as they come.
   */
  invoke(fn: string, version: string, event: unknown, timeoutMs: number): Promise<SyntheticAnswer>;
}
