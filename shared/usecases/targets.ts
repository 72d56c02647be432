import { ValidationError } from '../domain/errors.js';
import { promotionLoop } from '../domain/promotion.js';
import { parseTarget, type Target } from '../domain/target.js';
import type { TargetStore } from '../ports/index.js';

/** Registers or replaces a target; the path name and the body's name must agree. */
export async function applyTarget(deps: { targets: TargetStore }, name: string, body: unknown): Promise<Target> {
  const withName = body && typeof body === 'object' && !Array.isArray(body) ? { name, ...(body as object) } : body;
  const target = parseTarget(withName);
  if (target.name !== name) {
    throw new ValidationError(`the body names target "${target.name}" but the path names "${name}"`, [{ path: 'name', message: `must equal "${name}"` }]);
  }
  await refusePromotionLoop(deps, target);
  await deps.targets.put(target);
  return target;
}

/**
 * A target's `promotion.from` may not name itself or close a loop (a → b → a): no release could
 * ever enter the chain. An upstream that is not registered is allowed (promotions answer 409 until it is).
 */
async function refusePromotionLoop(deps: { targets: TargetStore }, target: Target): Promise<void> {
  const from = target.promotion?.from;
  if (from === undefined) return;
  if (from === target.name) {
    throw new ValidationError(`target "${target.name}" cannot promote from itself; name its upstream environment in promotion.from`, [
      { path: 'promotion.from', message: 'must name another target' },
    ]);
  }
  const upstreams = new Map((await deps.targets.list()).map((t) => [t.name, t.promotion?.from]));
  const loop = promotionLoop(target.name, from, (name) => upstreams.get(name));
  if (loop) {
    throw new ValidationError(`promotion.from "${from}" would close a loop: ${loop.join(' → ')}; a chain of environments must have a first one`, [
      { path: 'promotion.from', message: `closes the loop ${loop.join(' → ')}` },
    ]);
  }
}
