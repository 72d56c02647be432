/**
 * `POST /targets/{app}/rollback`: every component back to an earlier app release, as one
 * deployment (docs/apps.md "One rollback").
 */
import { componentTargets, describeComponents } from '../domain/app.js';
import { deploymentIdForRequest, newRecord, type ComponentRecord, type Deployment } from '../domain/deployment.js';
import { ConflictError } from '../domain/errors.js';
import { manifestKey, releaseOfOriginPath } from '../domain/site/layout.js';
import type { AppTarget } from '../domain/target.js';
import type { AliasReader, Clock, DeploymentStore, Orchestrator, VersionCatalog } from '../ports/index.js';
import type { OriginSwitch, SiteStore } from '../ports/site.js';

export interface AppRollbackDeps {
  deployments: DeploymentStore;
  aliases: AliasReader;
  versions: VersionCatalog;
  origins: Pick<OriginSwitch, 'currentOriginPath'>;
  sites: Pick<SiteStore, 'readJson'>;
  orchestrator: Orchestrator;
  clock: Clock;
}

/** Deployments of an app looked at to choose a rollback candidate. */
const ROLLBACK_HISTORY = 100;

/** Where each component is after a deployment: its version, or its site release. */
export type AppState = Record<string, string | undefined>;

/** What every component served once `deployment` ended (an unchanged component: what it had then). */
export function stateAfter(deployment: Deployment): AppState | undefined {
  if (!deployment.components) return undefined;
  return Object.fromEntries(
    Object.entries(deployment.components).map(([name, c]) => [name, c.kind === 'function' ? (c.toVersion ?? c.fromVersion) : (c.toRelease ?? c.fromRelease)]),
  );
}

function sameState(a: AppState, b: AppState): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].every((name) => a[name] === b[name]);
}

/** What each component of the app serves now. */
export async function liveAppState(deps: Pick<AppRollbackDeps, 'aliases' | 'origins'>, app: AppTarget): Promise<AppState> {
  const entries = await Promise.all(
    componentTargets(app).map(async (c): Promise<[string, string | undefined]> => {
      if (c.kind === 'function') return [c.component, (await deps.aliases.getAlias(c.target.function.name, c.target.function.alias)).version];
      const site = c.target.site;
      return [c.component, releaseOfOriginPath(c.target, await deps.origins.currentOriginPath(site.distributionId, site.bucket))];
    }),
  );
  return Object.fromEntries(entries);
}

/** Components whose version or site release is gone (pruned), in words. */
async function missingParts(deps: AppRollbackDeps, app: AppTarget, state: AppState): Promise<string[]> {
  const missing: string[] = [];
  for (const c of componentTargets(app)) {
    const wanted = state[c.component];
    if (wanted === undefined) continue;
    if (c.kind === 'function') {
      const versions = await deps.versions.listVersions(c.target.function.name);
      if (!versions.some((v) => v.version === wanted)) missing.push(`${c.component}: version ${wanted} of ${c.target.function.name} (pruned by keepVersions)`);
    } else if ((await deps.sites.readJson(c.target.site.bucket, manifestKey(c.target, wanted))) === undefined) {
      missing.push(`${c.component}: site release ${wanted} (pruned by keepReleases)`);
    }
  }
  return missing;
}

/**
 * The rollback of an app: the newest succeeded app release whose components differ from what is
 * live (or the named one), every component's version and site release still there. The record's
 * components say where each one goes; Stage of the rollback moves only those that differ.
 */
export async function requestAppRollback(deps: AppRollbackDeps, app: AppTarget, request: { release?: string; requestedBy?: string }): Promise<Deployment> {
  const live = await liveAppState(deps, app);
  const history = await deps.deployments.listByTarget(app.name, { limit: ROLLBACK_HISTORY });
  const landed = history.filter((d) => d.status === 'succeeded' && d.components);
  const differs = (d: Deployment) => {
    const state = stateAfter(d);
    return state !== undefined && !sameState(state, live);
  };
  const found = request.release ? landed.find((d) => d.release === request.release && differs(d)) : landed.find(differs);
  if (!found) {
    const named = request.release ? landed.find((d) => d.release === request.release) : undefined;
    throw new ConflictError(
      named
        ? `every component of "${app.name}" already serves release "${request.release}"; nothing to roll back`
        : request.release
          ? `release "${request.release}" of "${app.name}" never went live through slipway, so there is nothing to return to; deploy it instead`
          : `"${app.name}" has no earlier release to roll back to`,
    );
  }
  const target = stateAfter(found) ?? {};
  const missing = await missingParts(deps, app, target);
  if (missing.length) {
    throw new ConflictError(`release "${found.release}" of "${app.name}" cannot be returned to: ${missing.join('; ')}; deploy its artifact again`);
  }
  const components: Record<string, ComponentRecord> = {};
  for (const c of componentTargets(app)) {
    const from = live[c.component];
    const to = target[c.component] ?? from;
    components[c.component] =
      c.kind === 'function'
        ? {
            kind: 'function',
            function: c.target.function.name,
            ...(from ? { fromVersion: from } : {}),
            ...(to ? { toVersion: to } : {}),
            changed: from !== to,
          }
        : { kind: 'site', ...(from ? { fromRelease: from } : {}), ...(to ? { toRelease: to } : {}), changed: from !== to };
  }
  const now = deps.clock.now().toISOString();
  const record = newRecord(
    {
      id: deploymentIdForRequest('rollback', app.name, found.release, now),
      target: app.name,
      release: found.release,
      trigger: 'rollback',
      components,
      ...(found.sha256 ? { sha256: found.sha256 } : {}),
      ...(found.artifact ? { artifact: found.artifact } : {}),
      ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
    },
    `rollback to app release ${found.release} requested: ${describeComponents(components)}`,
    now,
  );
  const { deployment } = await deps.deployments.create(record);
  await deps.orchestrator.start(deployment.id);
  return deployment;
}
