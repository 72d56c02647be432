import { targetResourceWarnings, type TargetResourceDeps } from './target-resources.js';
import { createHash } from 'node:crypto';
import { canonicalJson, unpinned, type ConfigurationChange } from '../domain/configuration.js';
import { ACTIVE_STATUSES, deploymentIdForRequest, type Deployment } from '../domain/deployment.js';
import { claimConflict } from '../domain/app.js';
import { ConflictError, ValidationError } from '../domain/errors.js';
import { promotionLoop } from '../domain/promotion.js';
import { parseTarget, type FunctionTarget, type SiteTarget, type Target } from '../domain/target.js';
import type { Clock, DeploymentStore, Orchestrator, TargetStore } from '../ports/index.js';
import { newRecord } from './deployments.js';

export interface ApplyTargetDeps {
  targets: TargetStore;
  deployments: DeploymentStore;
  orchestrator: Orchestrator;
  clock: Clock;
  /** Where the function, alias or distribution the target names are looked up, to warn when missing. */
  resources?: TargetResourceDeps;
}

/** What applying a target did (or, in a dry run, would do) with its configuration. */
export interface TargetApplied {
  /** The target as stored (in a dry run: as it would be stored), defaults filled in. */
  target: Target;
  dryRun: boolean;
  /** What changes in `configuration` (functions) or `runtimeConfig` (sites); secrets named by reference only. */
  configurationChanges: ConfigurationChange[];
  /** Whether a deployment of the live release with the new configuration started (in a dry run: would start). */
  deploys: boolean;
  /** The release that deployment carries; null when none starts. */
  release: string | null;
  /** The deployment that started; null when none did, and always in a dry run. */
  deployment: Deployment | null;
  /** One sentence: what becomes of the configuration. */
  why: string;
  /** What the target names that does not exist (or could not be checked): applied anyway, said here. */
  warnings: string[];
}

/** Deployments of a target looked at to find the live release and one in flight (listByTarget's page). */
const CONFIG_HISTORY = 100;

/**
 * Registers or replaces a target; the path name and the body's name must agree. A change of the
 * configuration alone deploys: when the target has a live release through slipway, that release
 * (the same artifact and sha256) goes out again with the new configuration, trigger `config`.
 * With `dryRun` nothing is stored and nothing starts; the answer says what would happen.
 * A function or site another target already deploys is refused (ConflictError, naming the owner),
 * dry run or not, before anything is written.
 */
export async function applyTarget(
  deps: ApplyTargetDeps,
  name: string,
  body: unknown,
  options: { dryRun?: boolean; requestedBy?: string } = {},
): Promise<TargetApplied> {
  const withName = body && typeof body === 'object' && !Array.isArray(body) ? { name, ...(body as object) } : body;
  const target = parseTarget(withName);
  if (target.name !== name) {
    throw new ValidationError(`the body names target "${target.name}" but the path names "${name}"`, [{ path: 'name', message: `must equal "${name}"` }]);
  }
  const others = await deps.targets.list();
  refuseClaimed(others, target);
  refusePromotionLoop(others, target);
  const plan = await planConfigurationDeployment(deps, await deps.targets.get(name), target);
  const dryRun = options.dryRun === true;
  const warnings = deps.resources ? await targetResourceWarnings(deps.resources, target) : [];
  if (dryRun) return { target, dryRun, ...plan.answer, deployment: null, warnings };
  await deps.targets.put(target);
  const deployment = plan.live ? await startConfigurationDeployment(deps, target, plan, options.requestedBy) : null;
  return { target, dryRun, ...plan.answer, deployment, warnings };
}

/** What a target's new configuration calls for: the changes, and the live deployment to redeploy when one should start. */
export interface ConfigurationPlan {
  answer: Pick<TargetApplied, 'configurationChanges' | 'deploys' | 'release' | 'why'>;
  /** The newest succeeded deployment, whose artifact goes out again; only when a deployment should start. */
  live?: Deployment & { artifact: NonNullable<Deployment['artifact']>; sha256: string };
  /** The wanted configuration itself (function `configuration` or site `runtimeConfig`). */
  configuration?: unknown;
}

/** The configuration part of a target: what a change of alone deploys. */
function configurationOf(target: Target | undefined): unknown {
  if (!target) return undefined;
  if (target.kind === 'app') {
    const parts = Object.entries(target.components).map(([name, c]) => [name, 'function' in c ? c.configuration : c.runtimeConfig] as const);
    return parts.some(([, config]) => config !== undefined) ? Object.fromEntries(parts) : undefined;
  }
  return target.kind === 'function' ? target.configuration : target.runtimeConfig;
}

/**
 * Whether the new target's configuration differs from the stored one (canonically: key order does
 * not count) and whether the live release can carry it now. Nothing is resolved: secrets and
 * parameters stay references here; the deployment pins them when it stages.
 */
export async function planConfigurationDeployment(
  deps: Pick<ApplyTargetDeps, 'deployments'>,
  stored: Target | undefined,
  next: Target,
): Promise<ConfigurationPlan> {
  const before = configurationOf(stored);
  const after = configurationOf(next);
  const none = (why: string, configurationChanges: ConfigurationChange[] = []) => ({
    answer: { configurationChanges, deploys: false, release: null, why },
  });
  if (!stored)
    return none(
      after === undefined ? 'a new target; nothing is deployed until its first release' : 'a new target; its first release carries the configuration',
    );
  if (stored.kind !== next.kind) return none(`the target changes kind (${stored.kind} to ${next.kind}); its next release carries the configuration`);
  if (next.kind === 'app' || stored.kind === 'app') {
    return none(
      `the configuration of app ${next.name}'s components is stored; an app's next release carries it (a configuration change alone does not redeploy an app)`,
    );
  }
  if (canonicalJson(before ?? null) === canonicalJson(after ?? null)) return none('the configuration did not change; nothing to deploy');
  const changes = next.kind === 'function' ? functionChanges(stored, next) : siteChanges(stored, next);
  if (after === undefined) {
    return none(
      `the configuration was removed from the target: slipway stops managing it and the live version keeps what it runs with; nothing to deploy`,
      changes,
    );
  }
  const history = await deps.deployments.listByTarget(next.name, { limit: CONFIG_HISTORY });
  const active = history.find((d) => (ACTIVE_STATUSES as readonly string[]).includes(d.status));
  if (active) {
    return none(
      `deployment ${active.id} of release ${active.release} is ${active.status}; the configuration is stored and goes out with the next release ` +
        `(or deploy the live release again once ${active.id} ends)`,
      changes,
    );
  }
  const live = history.find((d) => d.status === 'succeeded');
  if (!live) return none('the target has no live release through slipway; the configuration is stored and its next release carries it', changes);
  if (!live.artifact || !live.sha256) {
    return none(
      `what is live (${live.release}, deployment ${live.id}) has no artifact slipway can deploy again; the configuration is stored and the next release carries it`,
      changes,
    );
  }
  return {
    answer: {
      configurationChanges: changes,
      deploys: true,
      release: live.release,
      why: `release ${live.release} is live: it goes out again with the new configuration`,
    },
    live: { ...live, artifact: live.artifact, sha256: live.sha256 },
    configuration: after,
  };
}

/** Records and starts the trigger-`config` deployment of a plan: the live artifact again, with the stored configuration. */
export async function startConfigurationDeployment(
  deps: ApplyTargetDeps,
  target: Target,
  plan: ConfigurationPlan,
  requestedBy?: string,
): Promise<Deployment | null> {
  const live = plan.live;
  if (!live) return null;
  const now = deps.clock.now().toISOString();
  const digest = createHash('sha256').update(canonicalJson(plan.configuration)).digest('hex');
  const record = newRecord(
    {
      id: deploymentIdForRequest('config', target.name, digest, now),
      target: target.name,
      release: live.release,
      trigger: 'config',
      artifact: live.artifact,
      sha256: live.sha256,
      ...(requestedBy ? { requestedBy } : {}),
    },
    `configuration changed: ${describeChanges(plan.answer.configurationChanges)}; deploying the live release ${live.release} (from ${live.id}) again with it` +
      `${requestedBy ? `, requested by ${requestedBy}` : ''}`,
    now,
  );
  const { deployment } = await deps.deployments.create(record);
  await deps.orchestrator.start(deployment.id);
  return deployment;
}

/** `added A, B; changed C; removed D`. */
export function describeChanges(changes: ConfigurationChange[]): string {
  const by = (kind: ConfigurationChange['change']) => changes.filter((c) => c.change === kind).map((c) => c.key);
  const parts = (['added', 'changed', 'removed'] as const).map((kind) => [kind, by(kind)] as const).filter(([, keys]) => keys.length > 0);
  return parts.length === 0 ? 'no key changed' : parts.map(([kind, keys]) => `${kind} ${keys.join(', ')}`).join('; ');
}

/** Keys of two maps of readable values: added, changed, removed, sorted. */
function diffValues(before: Record<string, string>, after: Record<string, string>, prefix = ''): ConfigurationChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: ConfigurationChange[] = [];
  for (const key of keys) {
    const from = before[key];
    const to = after[key];
    if (from !== undefined && to === undefined) changes.push({ key: `${prefix}${key}`, change: 'removed', from });
    else if (from === undefined && to !== undefined) changes.push({ key: `${prefix}${key}`, change: 'added', to });
    else if (from !== to)
      changes.push({ key: `${prefix}${key}`, change: 'changed', ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  }
  return changes;
}

/** Environment variables by their unpinned reading (a secret as its reference), then memorySize and timeout. */
function functionChanges(stored: Target, next: FunctionTarget): ConfigurationChange[] {
  const was = stored.kind === 'function' ? stored.configuration : undefined;
  const is = next.configuration;
  const settings = (c: typeof is) =>
    Object.fromEntries((['memorySize', 'timeout'] as const).flatMap((key) => (c?.[key] === undefined ? [] : [[key, String(c[key])]])));
  return [...diffValues(was ? unpinned(was) : {}, is ? unpinned(is) : {}), ...diffValues(settings(was), settings(is))];
}

/** A site's runtime config: its `path`, then each top-level key of `values` as JSON. */
function siteChanges(stored: Target, next: SiteTarget): ConfigurationChange[] {
  const was = stored.kind === 'site' ? stored.runtimeConfig : undefined;
  const is = next.runtimeConfig;
  const values = (c: typeof is) => Object.fromEntries(Object.entries(c?.values ?? {}).map(([key, value]) => [key, canonicalJson(value)]));
  const path = (c: typeof is) => (c ? { path: c.path } : ({} as Record<string, string>));
  return [...diffValues(path(was), path(is)), ...diffValues(values(was), values(is), 'values.')];
}

/**
 * A target's `promotion.from` may not name itself or close a loop (a → b → a): no release could
 * ever enter the chain. An upstream that is not registered is allowed (promotions answer 409 until it is).
 */
function refusePromotionLoop(registered: readonly Target[], target: Target): void {
  const from = target.promotion?.from;
  if (from === undefined) return;
  if (from === target.name) {
    throw new ValidationError(`target "${target.name}" cannot promote from itself; name its upstream environment in promotion.from`, [
      { path: 'promotion.from', message: 'must name another target' },
    ]);
  }
  const upstreams = new Map(registered.map((t) => [t.name, t.promotion?.from]));
  const loop = promotionLoop(target.name, from, (name) => upstreams.get(name));
  if (loop) {
    throw new ValidationError(`promotion.from "${from}" would close a loop: ${loop.join(' → ')}; a chain of environments must have a first one`, [
      { path: 'promotion.from', message: `closes the loop ${loop.join(' → ')}` },
    ]);
  }
}

/**
 * Two targets shifting one alias or switching one distribution's origin would undo each other's
 * releases (docs/apps.md "Claims"): the second claim is refused, naming the owner.
 */
function refuseClaimed(registered: readonly Target[], target: Target): void {
  const conflict = claimConflict(registered, target);
  if (conflict) throw new ConflictError(`target "${target.name}" cannot be saved: ${conflict}`);
}
