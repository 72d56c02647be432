/**
 * Prepare for an app (docs/apps.md): the whole zip is judged by component before anything is
 * locked or written, and the state gets one entry per function component and the site's staging
 * plan over the site's folder. What changes is decided later (Stage, FinishSiteStaging).
 */
import { componentFolder, componentTargets, functionComponents, siteComponent } from '../../domain/app.js';
import type { Deployment } from '../../domain/deployment.js';
import { MissingResourceError } from '../../domain/errors.js';
import { releaseOfOriginPath } from '../../domain/site/layout.js';
import { planSteps } from '../../domain/strategy.js';
import type { AppTarget } from '../../domain/target.js';
import type { AppArtifacts, AppInspection, AppLayout, ArtifactStore, DeploymentStore } from '../../ports/index.js';
import type { OriginSwitch, SiteStager, StagingPlanWriter } from '../../ports/site.js';
import { planSiteStaging } from '../site/plan-staging.js';
import { checkArtifactWith, recorded } from '../workflow/check-artifact.js';
import { recordFacts, type FunctionComponentState, type WorkflowState } from '../workflow/state.js';
import { plural } from '../../domain/words.js';

export interface PrepareAppDeps {
  deployments: DeploymentStore;
  artifacts: ArtifactStore;
  appArtifacts?: Pick<AppArtifacts, 'inspectApp'>;
  stager: Pick<SiteStager, 'inspect'>;
  origins: Pick<OriginSwitch, 'currentOriginPath'>;
  plans: StagingPlanWriter;
}

export function appLayout(app: AppTarget): AppLayout {
  return {
    components: Object.fromEntries(
      componentTargets(app).map((c) => [c.component, c.kind === 'site' ? { kind: 'site' as const, limits: c.target.limits } : { kind: 'function' as const }]),
    ),
  };
}

function describeInspection(app: AppTarget, inspection: AppInspection): string {
  const parts = componentTargets(app).map((c) => {
    const found = inspection.components[c.component];
    return found ? `${c.component}/ ${plural(found.entries, 'file')}` : `${c.component}/ absent (unchanged)`;
  });
  return `${plural(inspection.entries, 'entry', 'entries')}, ${plural(inspection.uncompressedBytes, 'byte')} unzipped (${parts.join(', ')})`;
}

/** The app with no health signals or hooks: a rollback returns at once and judges nothing. */
function withoutHealth(app: AppTarget): AppTarget {
  const components = Object.fromEntries(Object.entries(app.components).map(([name, c]) => [name, { ...c, health: { alarms: [] } }]));
  return { ...app, components, health: { ...app.health, alarms: [], probe: undefined, preTraffic: undefined, postTraffic: undefined } };
}

export async function prepareApp(
  deps: PrepareAppDeps,
  deployment: Deployment,
  app: AppTarget,
  carried: Pick<WorkflowState, 'downstream'>,
): Promise<WorkflowState> {
  const rollback = deployment.trigger === 'rollback';
  let present: Set<string>;
  let checked = {};
  if (rollback) {
    // A rollback moves the components its request found different from what was live.
    present = new Set(Object.entries(deployment.components ?? {}).flatMap(([name, c]) => (c.changed ? [name] : [])));
  } else {
    const reader = deps.appArtifacts;
    if (!reader) throw new MissingResourceError('Prepare was built without a reader of app zips, so the app release cannot be checked');
    const layout = appLayout(app);
    const result = await checkArtifactWith(
      deps,
      deployment,
      (artifact, head) => reader.inspectApp(artifact, layout, head),
      (inspection) => describeInspection(app, inspection),
    );
    present = new Set(Object.keys(result.inspection.components));
    checked = recorded(result);
  }

  const functions: Record<string, FunctionComponentState> = {};
  for (const c of functionComponents(app)) {
    const requested = deployment.components?.[c.component];
    functions[c.component] = {
      function: c.target.function.name,
      present: present.has(c.component),
      ...(requested?.kind === 'function' && requested.fromVersion ? { fromVersion: requested.fromVersion } : {}),
      ...(requested?.kind === 'function' && requested.toVersion ? { toVersion: requested.toVersion } : {}),
    };
  }
  const site = siteComponent(app);
  const requestedSite = site ? deployment.components?.[site.component] : undefined;
  const siteTo = requestedSite?.kind === 'site' ? requestedSite.toRelease : undefined;
  const staging =
    site && present.has(site.component) && (!rollback || siteTo)
      ? await planSiteStaging(deps, rollback ? { ...deployment, toVersion: siteTo } : deployment, site.target, componentFolder(site.component))
      : undefined;

  // A site left out of the release stays on what it serves now, which its record names.
  const liveSite =
    site && !staging
      ? releaseOfOriginPath(site.target, await deps.origins.currentOriginPath(site.target.site.distributionId, site.target.site.bucket))
      : undefined;
  const effective = rollback ? withoutHealth(app) : app;
  return {
    deploymentId: deployment.id,
    target: effective,
    record: { ...recordFacts(deployment), ...checked },
    ...(staging ? { site: staging } : {}),
    app: { functions, ...(site ? { site: { component: site.component, ...(liveSite ? { liveRelease: liveSite } : {}) } } : {}) },
    // Stage plans the steps again once it knows which components change (planApp).
    steps: rollback ? [{ percent: 100, bakeSeconds: 0 }] : planSteps(app.strategy),
    stepIndex: 0,
    flags: { preTraffic: Boolean(effective.health.preTraffic), postTraffic: Boolean(effective.health.postTraffic), cdn: false },
    ...carried,
  };
}
