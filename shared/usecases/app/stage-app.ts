/**
 * Stage for an app (docs/apps.md): every function component in the release is repacked from its
 * folder, then published as a version, or found unchanged (same CodeSha256 and configuration as
 * the live version). Nothing moves traffic here: the site was staged before (StageSite), and the
 * plan of steps is made once it is known which components change.
 */
import { componentFolder, describeComponents, functionComponents, planApp, siteComponent, type FunctionComponentTarget } from '../../domain/app.js';
import { componentPackageKey } from '../../domain/artifact-key.js';
import type { ComponentRecord } from '../../domain/deployment.js';
import { MissingResourceError } from '../../domain/errors.js';
import { splitsTraffic, stageFunction, type FunctionStaged, type StageDeps } from '../workflow/stage.js';
import { facts, seenByWrite, type FunctionComponentState, type WorkflowState } from '../workflow/state.js';
import type { AppTarget } from '../../domain/target.js';
import type { AppArtifacts } from '../../ports/index.js';

export interface StageAppDeps extends StageDeps {
  appArtifacts?: Pick<AppArtifacts, 'packageComponent'>;
}

export async function stageApp(deps: StageAppDeps, state: WorkflowState, app: AppTarget): Promise<WorkflowState> {
  const deployment = await facts(deps.deployments, state);
  const rollback = deployment.trigger === 'rollback';
  const components = functionComponents(app);
  const known = state.app?.functions ?? {};
  const present = components.filter((c) => known[c.component]?.present);
  // Weighted routing (and its same-role rule) applies when the functions that change would split traffic.
  const weighted = !rollback && splitsTraffic(planApp(app, { functions: present.length, site: false }).steps);

  const staged = await Promise.all(
    components.map(async (c): Promise<[string, FunctionComponentState, FunctionStaged | undefined]> => {
      const was = known[c.component] ?? { function: c.target.function.name, present: false };
      if (!was.present) {
        const alias = await deps.aliases.getAlias(c.target.function.name, c.target.function.alias);
        return [c.component, { ...was, fromVersion: alias.version, toVersion: alias.version, changed: false, aliasRevision: alias.revisionId }, undefined];
      }
      const code = rollback ? {} : await packaged(deps, state, deployment.artifact, c);
      const result = await stageFunction(deps, c.target, {
        deploymentId: state.deploymentId,
        release: deployment.release,
        trigger: deployment.trigger,
        ...code,
        ...(was.fromVersion ? { fromVersion: was.fromVersion } : {}),
        ...(was.toVersion ? { toVersion: was.toVersion } : {}),
        weighted,
      });
      return [
        c.component,
        {
          ...was,
          ...code,
          fromVersion: result.fromVersion,
          toVersion: result.toVersion,
          changed: !result.noop && result.fromVersion !== result.toVersion,
          aliasRevision: result.aliasRevision,
          ...(result.publishedVersions !== undefined ? { publishedVersions: result.publishedVersions } : {}),
        },
        result,
      ];
    }),
  );

  const functions = Object.fromEntries(staged.map(([name, s]) => [name, s]));
  const records: Record<string, ComponentRecord> = {};
  for (const [name, s] of staged) {
    records[name] = {
      kind: 'function',
      function: s.function,
      ...(s.fromVersion ? { fromVersion: s.fromVersion } : {}),
      ...(s.toVersion ? { toVersion: s.toVersion } : {}),
      changed: Boolean(s.changed),
      ...(s.sha256 ? { sha256: s.sha256 } : {}),
    };
  }
  const site = siteComponent(app);
  const siteChanged = Boolean(state.app?.site?.changed);
  if (site) {
    const live = state.site?.liveRelease ?? state.app?.site?.liveRelease;
    const to = siteChanged ? state.site?.version : live;
    records[site.component] = { kind: 'site', ...(live ? { fromRelease: live } : {}), ...(to ? { toRelease: to } : {}), changed: siteChanged };
  }

  const changedFunctions = staged.filter(([, s]) => s.changed).length;
  const plan = rollback
    ? { steps: [{ percent: 100, bakeSeconds: 0 }], ...(siteChanged ? { siteSwitchAt: 0 } : {}) }
    : planApp(app, { functions: changedFunctions, site: siteChanged });
  const noop = changedFunctions === 0 && !siteChanged;
  const lines = staged.filter(([, , r]) => r).map(([name, , r]) => `${name}: ${r?.message}`);
  seenByWrite(
    await deps.deployments.update(
      state.deploymentId,
      { components: records },
      {
        step: 'stage',
        message: noop
          ? `every component is already live as released (${describeComponents(records)}); nothing to do`
          : `${describeComponents(records)}${lines.length ? `; ${lines.join('; ')}` : ''}`,
      },
    ),
  );
  return {
    ...state,
    app: { ...(state.app ?? { functions: {} }), functions, ...(plan.siteSwitchAt !== undefined ? { siteSwitchAt: plan.siteSwitchAt } : {}) },
    steps: plan.steps,
    stepIndex: 0,
    noop,
  };
}

/** The component's folder as a zip of its own, next to the release in the artifact bucket. */
async function packaged(
  deps: StageAppDeps,
  state: WorkflowState,
  artifact: NonNullable<WorkflowState['record']>['artifact'],
  c: FunctionComponentTarget,
): Promise<{ artifact: NonNullable<typeof artifact>; sha256: string }> {
  if (!deps.appArtifacts) throw new MissingResourceError('Stage was built without the app zip packager, so an app component cannot be published');
  if (!artifact) throw new MissingResourceError(`deployment ${state.deploymentId} names no artifact`);
  const dest = { bucket: artifact.bucket, key: componentPackageKey(c.target.name, state.deploymentId, c.component) };
  const out = await deps.appArtifacts.packageComponent(artifact, componentFolder(c.component), dest);
  return { artifact: out.artifact, sha256: out.sha256 };
}
