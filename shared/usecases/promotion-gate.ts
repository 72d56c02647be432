/**
 * The promotion gate: a target with `promotion.from` takes releases only by promotion. Asked by
 * Prepare for every deployment (the authority: an upload's record ends `failed` with the reason),
 * and by the API's deploy, which answers 409 at once.
 */
import type { Deployment } from '../domain/deployment.js';
import { candidates, choose } from '../domain/promotion.js';
import type { Target } from '../domain/target.js';
import type { Clock, DeploymentStore, TargetStore } from '../ports/index.js';

/** Upstream deployments looked at to find what passed there (listByTarget's page). */
export const PROMOTION_HISTORY = 100;

export interface PromotionGateDeps {
  targets: Pick<TargetStore, 'get'>;
  deployments: Pick<DeploymentStore, 'listByTarget'>;
  clock: Clock;
}

/**
 * Why `deployment` may not go to `target`, or undefined when it may. A gated target (one with
 * `promotion.from`) takes a release only by promotion: a direct upload or deploy is refused unless
 * forced (break-glass: `forceReason` recorded with who forced it), and a promotion only while its
 * release (same name, same sha256) is still eligible upstream and, behind `approval: "required"`,
 * once it was approved. Rollbacks and configuration changes redeploy what this target already ran.
 */
export async function promotionGate(deps: PromotionGateDeps, deployment: Deployment, target: Target): Promise<string | undefined> {
  const promotion = target.promotion;
  if (!promotion || deployment.trigger === 'rollback' || deployment.trigger === 'config') return undefined;
  const upstream = promotion.from;
  const known = await deps.targets.get(upstream);
  const history = known ? await deps.deployments.listByTarget(upstream, { limit: PROMOTION_HISTORY }) : [];
  const list = candidates(upstream, history, promotion.soakSeconds, deps.clock.now());
  const promote = `npx slipway pipeline promote ${target.name} --release ${deployment.release}`;

  if (deployment.trigger !== 'promotion') {
    if (deployment.forceReason) return undefined;
    const only = `${target.name} takes releases only by promotion from ${upstream}`;
    const bypass = 'or, to bypass the gate, deploy with --force --reason "…"';
    if (!known) return `${only}, which is not a registered target; register ${upstream} or change promotion.from (${bypass})`;
    const { candidate, why } = choose(upstream, list, deployment.release);
    if (candidate) return `${only}; release ${deployment.release} passed there (${why}): promote it with \`${promote}\` (${bypass})`;
    return `${only}; ${why}, then \`${promote}\` (${bypass})`;
  }

  const refuse = (why: string) => `cannot promote ${deployment.release} into ${target.name}: ${why}`;
  if (deployment.promotion?.from !== upstream) {
    return refuse(`it was promoted from ${deployment.promotion?.from ?? 'nowhere'}, but ${target.name} now promotes from ${upstream}; promote again`);
  }
  if (!known) return refuse(`${upstream} is no longer a registered target`);
  if (promotion.approval === 'required' && deployment.approval?.state !== 'approved') {
    return refuse(`${target.name} requires approval and this promotion was not approved; promote again and approve it`);
  }
  const same = list.find((c) => c.release === deployment.release && c.sha256 === deployment.sha256);
  if (!same) return refuse(`release ${deployment.release} with sha256 ${deployment.sha256 ?? '(none)'} is not among what succeeded on ${upstream}`);
  if (same.state !== 'eligible') return refuse(`it is no longer eligible on ${upstream}: ${same.why}`);
  return undefined;
}
