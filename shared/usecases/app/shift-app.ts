/**
 * ShiftTraffic for an app (docs/apps.md): every changed function moves to the step's weight
 * together, one UpdateAlias each; at the plan's site step (the last, once the functions are at
 * 100%) the site switches its origin path like a site target's, and the bake after it waits for
 * the invalidation. The bake is planned over the union of the app's and the components' signals.
 */
import { siteComponent, unionHealth } from '../../domain/app.js';
import type { AppTarget } from '../../domain/target.js';
import { switchSite, type SwitchSiteDeps } from '../site/switch.js';
import { afterShift, currentStep, moveAlias, verificationPlan, type ShiftTrafficDeps } from '../workflow/shift-traffic.js';
import type { FunctionComponentState, WorkflowState } from '../workflow/state.js';
import { bakeTickAllowance, charge, HISTORY_EVENT_BUDGET } from '../workflow/wait-budget.js';

export type ShiftAppDeps = ShiftTrafficDeps & SwitchSiteDeps;

export async function shiftApp(deps: ShiftAppDeps, state: WorkflowState, app: AppTarget): Promise<WorkflowState> {
  const { deployment, promoted, steps, stepIndex, step } = await currentStep(deps, state);
  const appState = state.app ?? { functions: {} };
  const site = siteComponent(app);
  const switchesSite = site !== undefined && appState.site?.changed === true && appState.siteSwitchAt !== undefined && stepIndex >= appState.siteSwitchAt;
  // Back from WaitForDistribution: the functions moved already; only the site's switch goes on.
  const awaitingDistribution = state.site?.distribution?.deployed === false;

  let functions = appState.functions;
  if (!awaitingDistribution) {
    const moved = await Promise.all(
      Object.entries(functions).map(async ([name, fn]): Promise<[string, FunctionComponentState]> => {
        if (!fn.changed || !fn.fromVersion || !fn.toVersion) return [name, fn];
        const spec = app.components[name];
        if (!spec || !('function' in spec)) throw new Error(`component ${name} of ${app.name} is not a function`);
        const desired =
          step.percent >= 100 ? { version: fn.toVersion } : { version: fn.fromVersion, additional: { version: fn.toVersion, weight: step.percent / 100 } };
        const revision = await moveAlias(
          deps,
          fn.function,
          spec.function.alias,
          desired,
          { fromVersion: fn.fromVersion, toVersion: fn.toVersion },
          fn.aliasRevision,
        );
        return [name, { ...fn, aliasRevision: revision }];
      }),
    );
    functions = Object.fromEntries(moved);
  }

  let next: WorkflowState = { ...state, app: { ...appState, functions } };
  if (switchesSite && site) {
    const switched = await switchSite(deps, { ...next, target: site.target });
    next = { ...switched, target: app };
    if (switched.site?.distribution?.deployed === false) return next;
    next = { ...next, app: { ...(next.app ?? appState), site: { ...(appState.site ?? { component: site.component }), switched: true } } };
  }

  const health = { health: unionHealth(app) };
  const plan = promoted
    ? { waitSeconds: 0, remainingChecks: 0, healthEvery: 1, bakeSeconds: 0 }
    : verificationPlan(health, step.bakeSeconds, {
        ...(deps.controlSeconds ? { controlSeconds: deps.controlSeconds } : {}),
        maxTicks: bakeTickAllowance(steps, stepIndex, state.waits, deps.historyEventBudget ?? HISTORY_EVENT_BUDGET),
      });
  const waits = plan.remainingChecks > 0 ? charge(state.waits, 'bake', plan.remainingChecks) : state.waits;
  const status = step.percent >= 100 ? 'verifying' : 'shifting';
  const moving = Object.entries(functions)
    .filter(([, fn]) => fn.changed)
    .map(([name, fn]) => `${name} v${fn.toVersion}`);
  const what = moving.length ? `${step.percent}% of traffic on ${moving.join(', ')}` : 'no function changes';
  await deps.deployments.update(
    deployment.id,
    { status, trafficPercent: step.percent, bakeEndsAt: new Date(deps.clock.now().getTime() + plan.bakeSeconds * 1000).toISOString() },
    {
      step: 'shift',
      status,
      trafficPercent: step.percent,
      message: `${what}${switchesSite && site ? `; ${site.component} switched to ${state.site?.version ?? state.site?.release}` : ''}${promoted ? ' (promoted)' : ''}${plan.bakeSeconds > 0 ? `; baking ${plan.bakeSeconds}s` : ''}`,
    },
  );

  return afterShift({ ...next, ...(waits ? { waits } : {}) }, plan, steps, stepIndex);
}
