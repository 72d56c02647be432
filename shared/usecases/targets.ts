import { ValidationError } from '../domain/errors.js';
import { parseTarget, type Target } from '../domain/target.js';
import type { TargetStore } from '../ports/index.js';

/** Registers or replaces a target; the path name and the body's name must agree. */
export async function applyTarget(deps: { targets: TargetStore }, name: string, body: unknown): Promise<Target> {
  const withName = body && typeof body === 'object' && !Array.isArray(body) ? { name, ...(body as object) } : body;
  const target = parseTarget(withName);
  if (target.name !== name) {
    throw new ValidationError(`the body names target "${target.name}" but the path names "${name}"`, [{ path: 'name', message: `must equal "${name}"` }]);
  }
  await deps.targets.put(target);
  return target;
}
