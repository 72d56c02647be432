import { cancelDescription } from '../../domain/control.js';
import { errorMessage } from '../../domain/errors.js';
import { isTerminal } from '../../domain/deployment.js';
import type { Deployment } from '../../domain/deployment.js';
import { callerReference } from '../../domain/site/invalidation-plan.js';
import { manifestKey, originPathOf, planKey, releaseOfOriginPath, releasePrefix } from '../../domain/site/layout.js';
import type { AppTarget, FunctionTarget, SiteTarget } from '../../domain/target.js';
import { functionComponents, siteComponent } from '../../domain/app.js';
import type { AliasRouter, Cdn, Clock, ConcurrencyReleaser, DeploymentStore, LockStore, TargetStore } from '../../ports/index.js';
import type { OriginSwitch, SiteCanaryRouter, SiteStore } from '../../ports/site.js';
import { cleanUpStaging } from '../site/retention.js';
import { CHUNK_FAILURE_PREFIX } from '../site/stage-chunk.js';
import { deployedVersion } from '../site/version.js';
import { readPlan } from '../site/switch.js';
import type { WorkflowState } from './state.js';
import { plural } from '../../domain/words.js';
import { handoverOf, releaseNewVersion } from './provisioned-concurrency.js';

export interface RollbackDeps {
  deployments: DeploymentStore;
  targets: TargetStore;
  locks: LockStore;
  aliases: AliasRouter;
  cdn: Cdn;
  origins: OriginSwitch;
  /** CloudFront continuous deployment: a site canary's policy is detached on rollback (docs/sites.md). */
  canary?: Pick<SiteCanaryRouter, 'detachPolicy'>;
  sites: SiteStore;
  /**
   * How long a site's switch back waits for the distribution to be `Deployed` before it
   * invalidates; the Rollback function's timeout bounds it (DEFAULT_SWITCH_BACK_WAIT).
   */
  switchBackWait?: { timeoutMs: number; intervalMs: number };
  clock: Clock;
  /** Releases the provisioned concurrency a failed function deployment allocated on its new version. */
  concurrency?: ConcurrencyReleaser;
}

/** Fits the Rollback function's 30 s timeout with room for the record, the lock and clean-up. */
export const DEFAULT_SWITCH_BACK_WAIT = { timeoutMs: 15_000, intervalMs: 2_000 };

/**
 * Waits in the function (a rollback is one Task, re-run only as a whole) until the distribution is
 * `Deployed`, or the budget is spent; true when it is Deployed.
 */
async function awaitDeployed(deps: RollbackDeps, distributionId: string): Promise<boolean> {
  const { timeoutMs, intervalMs } = deps.switchBackWait ?? DEFAULT_SWITCH_BACK_WAIT;
  const deadline = deps.clock.now().getTime() + timeoutMs;
  for (;;) {
    if (await deps.origins.isDistributionDeployed(distributionId)) return true;
    if (deps.clock.now().getTime() + intervalMs > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

interface Restoration {
  restored: boolean;
  detail: string;
}

/** What a Distributed Map reports when one of its child executions failed. */
const MAP_CHILD_FAILED = 'States.ExceedToleratedFailureThreshold';

/**
 * Turns Step Functions' Catch output into a sentence (a Lambda's Cause is a JSON error object).
 * A Distributed Map's failure names no reason; the last failed chunk recorded in the timeline does.
 */
export function describeFailure(error: WorkflowState['error'], timeline: Deployment['timeline'] = []): string {
  if (!error) return 'the workflow failed';
  if (error.Error === MAP_CHILD_FAILED) {
    const chunk = timeline.findLast((entry) => entry.step === 'stage' && entry.message?.startsWith(CHUNK_FAILURE_PREFIX));
    if (chunk?.message) return `staging failed: ${chunk.message}`;
  }
  const cause = error.Cause ?? '';
  try {
    // A Lambda's error: its name is for Step Functions' Retry and Catch, its message for people.
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) return parsed.errorMessage;
  } catch {
    // a plain message
  }
  // A class name (UnhealthyReleaseError) says nothing to people; Step Functions' and Lambda's own
  // errors (States.Timeout, Lambda.ServiceException) and plain words (interrupted) keep their name.
  if (cause && /^[A-Z][A-Za-z0-9]*(Error|Exception)$/.test(error.Error)) return cause;
  return cause ? `${error.Error}: ${cause}` : error.Error;
}

/**
 * Runs after any failure. Puts the alias back on the version it had (no routing config) when the
 * deployment had changed it, records `rolled_back` (traffic had moved) or `failed` (it had not),
 * and releases the lock; the store announces the outcome. Safe to run again. A deployment with a
 * cancel request ends `cancelled` instead of `failed`, and its reason says who cancelled it and why.
 */
export async function rollback(deps: RollbackDeps, state: WorkflowState): Promise<WorkflowState> {
  const deployment = await deps.deployments.get(state.deploymentId);
  if (!deployment) return state;
  if (isTerminal(deployment.status)) {
    // The outcome is already recorded (Finalize wrote `succeeded`, then failed): the record and
    // the alias agree as they are; undoing the switch now would make the record lie.
    await deps.locks.release(deployment.target, deployment.id);
    return state;
  }
  const failure = describeFailure(state.error, deployment.timeline);
  const target = state.target ?? (await deps.targets.get(deployment.target));

  const restoration: Restoration = !target
    ? { restored: false, detail: 'no traffic was moved' }
    : target.kind === 'site'
      ? await restoreSite(deps, target, deployment, state)
      : target.kind === 'function'
        ? await withConcurrencyReleased(deps, target, await restoreFunction(deps, target, deployment), handoverOf(state, deployment))
        : await restoreApp(deps, target, deployment, state);
  const trafficMoved = restoration.restored || deployment.trafficPercent > 0;

  {
    // Cancel semantics follow the record, not the error: a cancel can surface as another error
    // (a staging chunk's failure, an aborted execution) and must still read as a cancel.
    const cancelled = deployment.cancelRequestedAt !== undefined;
    const status = trafficMoved ? 'rolled_back' : cancelled ? 'cancelled' : 'failed';
    const alsoFailed = cancelled && state.error?.Error !== 'CancelledError' ? ` (the workflow also reported ${failure})` : '';
    const reason = cancelled ? `${cancelDescription(deployment)}; ${restoration.detail}${alsoFailed}` : `${failure}; ${restoration.detail}`;
    await deps.deployments.update(
      deployment.id,
      { status, reason, trafficPercent: 0, endedAt: deps.clock.now().toISOString() },
      {
        // A failure before anything moved ends the deployment; there was nothing to roll back.
        step: status === 'failed' ? 'end' : 'rollback',
        status,
        trafficPercent: 0,
        message: reason,
        ...(cancelled && state.error?.Error === 'CancelledError' ? {} : { error: failure }),
        ...(state.error?.Error === 'UnhealthyReleaseError' ? { health: 'failed' as const } : {}),
      },
    );
  }
  await deps.locks.release(deployment.target, deployment.id);
  return state;
}

/** The alias is back where it was (or never moved): what this deployment allocated on the new version goes too. */
async function withConcurrencyReleased(
  deps: RollbackDeps,
  target: FunctionTarget,
  restoration: Restoration,
  handover: ReturnType<typeof handoverOf>,
): Promise<Restoration> {
  const released = await releaseNewVersion(deps, target, handover);
  return released ? { ...restoration, detail: `${restoration.detail}; ${released}` } : restoration;
}

async function restoreFunction(deps: RollbackDeps, target: FunctionTarget, deployment: Deployment): Promise<Restoration> {
  const { fromVersion, toVersion } = deployment;
  if (!fromVersion || !toVersion || fromVersion === toVersion) return { restored: false, detail: 'no traffic was moved' };
  const fn = target.function.name;
  const aliasName = target.function.alias;
  const alias = await deps.aliases.getAlias(fn, aliasName);
  const onOld = alias.version === fromVersion && !alias.additional;
  const ours = alias.version === toVersion || alias.additional?.version === toVersion;
  if (onOld || !ours) return { restored: false, detail: 'no traffic was moved' };
  await deps.aliases.updateAlias(fn, aliasName, { version: fromVersion }, alias.revisionId);
  if (target.cdn) {
    try {
      await deps.cdn.invalidate(target.cdn.distributionId, target.cdn.paths, `${deployment.id}-rollback`);
    } catch (error) {
      await deps.deployments.update(deployment.id, {}, { step: 'rollback', message: `CDN invalidation after rollback failed: ${errorMessage(error)}` });
    }
  }
  return { restored: true, detail: `alias restored to version ${fromVersion}` };
}

/**
 * Switched already: the origin path goes back and the same paths are invalidated again. Not
 * switched: what staging wrote under the release prefix is removed (unless that prefix is live or
 * the previous release), so a hostile or broken zip leaves nothing behind.
 */
async function restoreSite(deps: RollbackDeps, target: SiteTarget, deployment: Deployment, state: WorkflowState): Promise<Restoration> {
  const { bucket, distributionId } = target.site;
  // A site canary's policy goes first: every viewer back on the primary, which serves the old release until promotion.
  const detached =
    target.strategy && target.strategy !== 'AllAtOnce' && state.site?.canary && deps.canary
      ? await detachCanary(deps.canary, distributionId, state.site.canary)
      : '';
  const current = await deps.origins.currentOriginPath(distributionId, bucket);
  const version = deployedVersion(state.site, deployment);
  const ours = deployment.toOriginPath ?? originPathOf(target, version);
  const before = state.site?.liveOriginPath ?? (deployment.fromVersion ? originPathOf(target, deployment.fromVersion) : undefined);
  if (current === ours && before !== undefined && before !== ours) {
    await deps.origins.switchOriginPath(distributionId, bucket, before);
    const plan = await readPlan(deps.sites, bucket, planKey(target, deployment.id));
    // Invalidating while edges still run the new origin path would cache the new files again.
    const deployed = plan.paths.length ? await awaitDeployed(deps, distributionId) : true;
    if (plan.paths.length) await deps.cdn.invalidate(distributionId, plan.paths, callerReference(deployment.id, 'rollback'));
    await cleanUpStaging(deps.sites, target, deployment.id);
    const early = deployed
      ? ''
      : ` before distribution ${distributionId} was Deployed (edges may keep serving files of ${deployment.release} until their TTL; invalidate ${plan.paths.length > 3 ? '/*' : plan.paths.join(' ')} again once it is)`;
    return {
      restored: true,
      detail: `${detached}origin path restored to ${before || '(bucket root)'}; ${plural(plan.paths.length, 'path')} invalidated${early}`,
    };
  }
  const keep = new Set([releaseOfOriginPath(target, current), deployment.fromVersion, state.site?.liveRelease]);
  // Before the lock was taken nothing was staged; the release prefix may be an earlier deployment's.
  const staged = deployment.status !== 'queued' && deployment.status !== 'waiting';
  if (deployment.trigger !== 'rollback' && staged && !keep.has(version)) {
    await deps.sites.deletePrefix(bucket, manifestKey(target, version));
    await deps.sites.deletePrefix(bucket, releasePrefix(target, version));
  }
  await cleanUpStaging(deps.sites, target, deployment.id);
  if (detached)
    return { restored: true, detail: `${detached}every viewer on distribution ${distributionId}, still on origin path ${current || '(bucket root)'}` };
  return { restored: false, detail: 'nothing live changed' };
}

async function detachCanary(
  router: Pick<SiteCanaryRouter, 'detachPolicy'>,
  distributionId: string,
  canary: { stagingId: string; policyId: string },
): Promise<string> {
  await router.detachPolicy(distributionId);
  return `continuous-deployment policy ${canary.policyId} detached from ${distributionId} (staging distribution ${canary.stagingId} no longer gets viewers); `;
}

/**
 * Every component back to the app's previous release (docs/apps.md): the site first, so no page of
 * the new site is served once its API is gone, then each function alias that moved, to its previous
 * version with no routing config. A component that never moved is left as it is.
 */
async function restoreApp(deps: RollbackDeps, app: AppTarget, deployment: Deployment, state: WorkflowState): Promise<Restoration> {
  const parts: string[] = [];
  let restored = false;
  const site = siteComponent(app);
  const siteState = site ? withSiteState(site.component, site.target, deployment, state) : undefined;
  let stranded = false;
  if (site && siteState) {
    const back = await restoreSite(deps, site.target, deployment, siteState);
    restored ||= back.restored;
    if (back.restored) parts.push(`${site.component}: ${back.detail}`);
  } else if (site) {
    const record = deployment.components?.[site.component];
    if (record?.kind === 'site' && record.changed && record.toRelease && !record.fromRelease) {
      stranded = true;
      parts.push(`${site.component}: left as it is (no earlier slipway release to return to; it may serve ${record.toRelease})`);
    }
  }
  const known = state.app?.functions ?? functionsOfRecord(deployment);
  const functions = await Promise.all(
    functionComponents(app).map(async (c) => {
      const fn = known[c.component];
      if (!fn?.changed || !fn.fromVersion || !fn.toVersion) return { component: c.component, back: { restored: false, detail: '' } };
      return { component: c.component, back: await restoreFunction(deps, c.target, { ...deployment, fromVersion: fn.fromVersion, toVersion: fn.toVersion }) };
    }),
  );
  for (const { component, back } of functions) {
    restored ||= back.restored;
    if (back.restored) parts.push(`${component}: ${back.detail}`);
  }
  if (!restored && !stranded) return { restored: false, detail: 'no traffic was moved' };
  return { restored, detail: `${parts.join('; ')}${stranded ? '' : '; every component is on the previous release'}` };
}

/**
 * The state's site plan, or, when the rollback runs from outside the workflow (reconcile.ts, with
 * no state), the one the record's components describe: a site release that changed from a known one.
 */
function withSiteState(component: string, target: SiteTarget, deployment: Deployment, state: WorkflowState): WorkflowState | undefined {
  if (state.site) return state;
  const record = deployment.components?.[component];
  if (record?.kind !== 'site' || !record.changed || !record.toRelease || !record.fromRelease) return undefined;
  return {
    ...state,
    site: {
      release: deployment.release,
      version: record.toRelease,
      staging: { bucket: '', key: '', chunks: 0 },
      liveOriginPath: originPathOf(target, record.fromRelease),
      liveRelease: record.fromRelease,
    },
  };
}

/** The function components as the record's components describe them (a rollback with no workflow state). */
function functionsOfRecord(deployment: Deployment): NonNullable<WorkflowState['app']>['functions'] {
  const functions: NonNullable<WorkflowState['app']>['functions'] = {};
  for (const [name, c] of Object.entries(deployment.components ?? {})) {
    if (c.kind !== 'function') continue;
    functions[name] = {
      function: c.function,
      present: c.changed,
      changed: c.changed,
      ...(c.fromVersion ? { fromVersion: c.fromVersion } : {}),
      ...(c.toVersion ? { toVersion: c.toVersion } : {}),
    };
  }
  return functions;
}
