import { assertNotCancelled } from '../../domain/control.js';
import { errorMessage } from '../../domain/errors.js';
import type { Deployment } from '../../domain/deployment.js';
import type { AppTarget, FunctionTarget, SiteTarget } from '../../domain/target.js';
import { functionComponents, siteComponent } from '../../domain/app.js';
import type { Clock, ConcurrencyReleaser, DeploymentStore, LockStore, VersionPruner } from '../../ports/index.js';
import type { SiteStore } from '../../ports/site.js';
import { cleanUpStaging, pruneReleases } from '../site/retention.js';
import { facts, requireTarget, type WorkflowState } from './state.js';
import { handoverOf, releaseOldVersion } from './provisioned-concurrency.js';

export interface FinalizeDeps {
  deployments: DeploymentStore;
  locks: LockStore;
  versions: VersionPruner;
  sites: SiteStore;
  clock: Clock;
  /** Releases the old version's provisioned concurrency once the new version serves everything. */
  concurrency?: ConcurrencyReleaser;
}

/** Versions to delete: beyond the newest `keep`, never one an alias (or a traffic split) uses. */
export function versionsToPrune(versions: string[], aliased: Set<string>, keep: number): string[] {
  const numeric = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return numeric.slice(keep).filter((v) => !aliased.has(v));
}

/** Records success (the store announces it), releases the lock and prunes old versions. */
export async function finalize(deps: FinalizeDeps, state: WorkflowState): Promise<WorkflowState> {
  const target = requireTarget(state);
  const known = await facts(deps.deployments, state);
  const reason =
    target.kind === 'app'
      ? appReason(state)
      : state.noop
        ? target.kind === 'site'
          ? `release ${known.release} is already live; nothing changed`
          : 'release already live (same CodeSha256); nothing changed'
        : target.kind === 'site'
          ? `release ${known.release} is live`
          : `version ${known.toVersion} is live`;
  const updated = await deps.deployments.update(
    state.deploymentId,
    { status: 'succeeded', trafficPercent: 100, endedAt: deps.clock.now().toISOString(), reason },
    { step: 'finalize', status: 'succeeded', trafficPercent: 100 },
    // Success and a cancel request are written to the same item, conditionally: whichever comes
    // second is refused, so a cancel the API accepted is never lost to a late success.
    { unlessCancelRequested: true },
  );
  if (!updated) {
    const now = await deps.deployments.get(state.deploymentId);
    if (now) assertNotCancelled(now);
  }
  await deps.locks.release(known.target, state.deploymentId);
  // After success only: until then the old version may take traffic back.
  if (target.kind === 'function' && !state.noop) await releaseOldVersion(deps, target, state.deploymentId, handoverOf(state, updated));

  try {
    if (target.kind === 'site') await tidySite(deps, target, updated ?? (await deps.deployments.get(state.deploymentId)));
    else if (target.kind === 'function') await pruneVersions(deps, target, state.publishedVersions);
    else await tidyApp(deps, target, state, updated ?? (await deps.deployments.get(state.deploymentId)));
  } catch (error) {
    // Housekeeping: the release is live; the next deployment tidies up again.
    console.warn(`slipway: tidying up after ${state.deploymentId} failed: ${errorMessage(error)}`);
  }
  return state;
}

async function pruneVersions(deps: FinalizeDeps, target: FunctionTarget, published: number | undefined): Promise<void> {
  // Stage counted the versions: no more than are kept means none to prune, and nothing to list.
  if (published !== undefined && published <= target.keepVersions) return;
  const fn = target.function.name;
  const [versions, aliased] = await Promise.all([deps.versions.listVersions(fn), deps.versions.aliasedVersions(fn)]);
  const prune = versionsToPrune(
    versions.map((v) => v.version),
    aliased,
    target.keepVersions,
  );
  for (const version of prune) await deps.versions.deleteVersion(fn, version);
}

/** Keeps `keepReleases` release prefixes (always the live and the previous one) and drops staging records. */
async function tidySite(deps: FinalizeDeps, target: SiteTarget, deployment: Deployment | undefined): Promise<void> {
  if (!deployment) return;
  const protect = new Set([deployment.toVersion ?? deployment.release, ...(deployment.fromVersion ? [deployment.fromVersion] : [])]);
  await pruneReleases(deps.sites, target, protect);
  await cleanUpStaging(deps.sites, target, deployment.id);
}

/** What an app release left live, component by component (Stage wrote the components' record). */
function appReason(state: WorkflowState): string {
  const app = state.app;
  const changed = Object.entries(app?.functions ?? {})
    .filter(([, fn]) => fn.changed)
    .map(([name, fn]) => `${name} v${fn.toVersion}`);
  if (app?.site?.changed && state.site) changed.push(`${app.site.component} ${state.site.version ?? state.site.release}`);
  if (state.noop || changed.length === 0) return 'every component is already live as released; nothing changed';
  return `live: ${changed.join(', ')}; the other components are unchanged`;
}

/** Each function component's versions pruned as its own target's would be, and the site's releases kept as a site's. */
async function tidyApp(deps: FinalizeDeps, app: AppTarget, state: WorkflowState, deployment: Deployment | undefined): Promise<void> {
  for (const c of functionComponents(app)) {
    const fn = state.app?.functions[c.component];
    if (fn?.changed) await pruneVersions(deps, c.target, fn.publishedVersions);
  }
  const site = siteComponent(app);
  const record = site ? deployment?.components?.[site.component] : undefined;
  if (!site || !deployment || record?.kind !== 'site') return;
  const protect = new Set([record.toRelease, record.fromRelease].filter((r): r is string => Boolean(r)));
  if (protect.size > 0) await pruneReleases(deps.sites, site.target, protect);
  await cleanUpStaging(deps.sites, site.target, deployment.id);
}
