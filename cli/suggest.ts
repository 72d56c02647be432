import { distance } from 'fastest-levenshtein';
import { ApiProblemError, type ApiClient, type StoredTarget } from './api-client.js';
import { CliError } from './errors.js';

/**
 * The names worth suggesting for a mistyped one, closest first: within an edit distance of a third
 * of the name (at least 2), or containing it / contained in it (`canary` → `hello-canary`).
 */
export function closeNames(name: string, candidates: readonly string[], max = 5): string[] {
  const wanted = name.toLowerCase();
  const budget = Math.max(2, Math.floor(wanted.length / 3));
  return candidates
    .map((candidate) => {
      const lower = candidate.toLowerCase();
      const contains = wanted.length >= 3 && (lower.includes(wanted) || wanted.includes(lower));
      return { candidate, score: distance(wanted, lower), contains };
    })
    .filter(({ score, contains }) => score <= budget || contains)
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, max)
    .map(({ candidate }) => candidate);
}

/** `target "helo" is not registered. Did you mean hello or hello-canary?` */
export function unknownTargetMessage(name: string, registered: readonly string[]): string {
  const close = closeNames(name, registered);
  if (registered.length === 0) return `target "${name}" is not registered, and no target is yet; add one with \`npx slipway targets apply <file>\``;
  if (close.length === 0) return `target "${name}" is not registered; \`npx slipway targets list\` shows the ${registered.length} that are`;
  const names = close.map((n) => `"${n}"`);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  return `target "${name}" is not registered. Did you mean ${list}?`;
}

/**
 * Runs `action`; when it fails with a 404 and `name` is indeed not among the registered targets,
 * fails instead with the close names (exit 2). A 404 about something else (a hook, a deployment)
 * and every other error pass through unchanged.
 */
export async function withTargetSuggestions<T>(client: Pick<ApiClient, 'listTargets'>, name: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof ApiProblemError) || error.problem.status !== 404) throw error;
    let registered: StoredTarget[];
    try {
      registered = await client.listTargets();
    } catch {
      throw error;
    }
    const names = registered.map((t) => t.name);
    if (names.includes(name)) throw error;
    throw new CliError(unknownTargetMessage(name, names), 2, { cause: error });
  }
}
