/**
 * Apps (docs/apps.md): several functions and at most one site released as one unit. The rules here
 * are pure: which component a zip entry belongs to, what each component is as a target of its own,
 * which function or site a target claims, and the plan of traffic steps across components.
 */
import type { ComponentRecord } from './deployment.js';
import type { TrafficStep } from './strategy.js';
import { planSteps } from './strategy.js';
import {
  alarmNames,
  functionNameOf,
  type AppTarget,
  type Component,
  type FunctionComponent,
  type FunctionTarget,
  type SiteComponent,
  type SiteTarget,
  type Target,
} from './target.js';

export interface FunctionComponentTarget {
  component: string;
  kind: 'function';
  target: FunctionTarget;
}

export interface SiteComponentTarget {
  component: string;
  kind: 'site';
  target: SiteTarget;
}

export type ComponentTarget = FunctionComponentTarget | SiteComponentTarget;

export function isSiteComponent(component: Component): component is SiteComponent {
  return 'site' in component;
}

export function isFunctionComponent(component: Component): component is FunctionComponent {
  return 'function' in component;
}

/**
 * Each component as a target of its own, by component name: it carries the app's name (records,
 * locks and windows are the app's), the app's strategy and poll interval, and only the
 * component's own health signals (the app's are judged once, not once per component).
 */
export function componentTargets(app: AppTarget): ComponentTarget[] {
  return Object.keys(app.components)
    .sort()
    .map((component): ComponentTarget => {
      const spec = app.components[component] as Component;
      const health = { alarms: spec.health.alarms, ...(spec.health.probe ? { probe: spec.health.probe } : {}), pollSeconds: app.health.pollSeconds };
      // An app's site switches all at once: site canaries are for site targets (docs/sites.md).
      if (isSiteComponent(spec)) return { component, kind: 'site', target: { ...spec, name: app.name, kind: 'site', strategy: 'AllAtOnce', health } };
      return { component, kind: 'function', target: { ...spec, name: app.name, kind: 'function', strategy: app.strategy, health } };
    });
}

export function functionComponents(app: AppTarget): FunctionComponentTarget[] {
  return componentTargets(app).filter((c): c is FunctionComponentTarget => c.kind === 'function');
}

export function siteComponent(app: AppTarget): SiteComponentTarget | undefined {
  return componentTargets(app).find((c): c is SiteComponentTarget => c.kind === 'site');
}

/** The site a target releases: a site target itself, or an app's site component. */
export function siteOf(target: Target): SiteTarget | undefined {
  if (target.kind === 'site') return target;
  if (target.kind === 'app') return siteComponent(target)?.target;
  return undefined;
}

/** The folder of a component in the app's release zip. */
export function componentFolder(component: string): string {
  return `${component}/`;
}

/**
 * Which component a zip entry belongs to, and its path inside the component's folder; or why the
 * entry belongs to none (a file at the top of the zip, a folder that names no component).
 */
export function componentOfEntry(path: string, components: ReadonlySet<string>): { component: string; path: string } | { refused: string } {
  const slash = path.indexOf('/');
  if (slash <= 0) {
    return {
      refused: `"${path}" is at the top of the zip; an app's zip has one folder per component (${[...components].map((c) => `${c}/`).join(', ')}): move it into one`,
    };
  }
  const folder = path.slice(0, slash);
  if (!components.has(folder)) {
    return {
      refused: `folder "${folder}/" names no component of this app (its components: ${[...components].join(', ')}); rename the folder or add the component to the target`,
    };
  }
  return { component: folder, path: path.slice(slash + 1) };
}

/** One function or site a target deploys: a key to compare with other targets' claims, and words for people. */
export interface Claim {
  key: string;
  what: string;
  /** The app component that makes the claim. */
  component?: string;
}

/** What a target deploys to: functions by name, sites by distribution (one origin path serves one release). */
export function claimsOf(target: Target): Claim[] {
  const fn = (name: string, component?: string): Claim => ({
    key: `function:${functionNameOf(name)}`,
    what: `function ${functionNameOf(name)}`,
    ...(component ? { component } : {}),
  });
  const site = (distributionId: string, component?: string): Claim => ({
    key: `distribution:${distributionId}`,
    what: `the site on distribution ${distributionId}`,
    ...(component ? { component } : {}),
  });
  if (target.kind === 'function') return [fn(target.function.name)];
  if (target.kind === 'site') return [site(target.site.distributionId)];
  return Object.entries(target.components).map(([name, c]) => (isSiteComponent(c) ? site(c.site.distributionId, name) : fn(c.function.name, name)));
}

/**
 * A function or site belongs to one target only, app or not: two targets shifting one alias would
 * undo each other. The refusal names the owner.
 */
export function claimConflict(existing: readonly Target[], candidate: Target): string | undefined {
  const mine = claimsOf(candidate);
  for (const other of existing) {
    if (other.name === candidate.name) continue;
    for (const theirs of claimsOf(other)) {
      const clash = mine.find((c) => c.key === theirs.key);
      if (!clash) continue;
      const where = theirs.component ? ` as its component "${theirs.component}"` : '';
      return `${clash.what} already belongs to target "${other.name}"${where}; a function or site belongs to one target only: remove it from "${other.name}" first, or release it through that target`;
    }
  }
  return undefined;
}

/** How an app release moves traffic: the changed functions' steps in lockstep, and the step at which the site switches. */
export interface AppPlan {
  steps: TrafficStep[];
  /** The step whose shift also switches the site (the last, once the functions are at 100%); absent when the site is unchanged. */
  siteSwitchAt?: number;
}

/**
 * Every changed function follows the strategy's steps together; the site switches at the last step,
 * once every function is at 100%, so a page of the new site never calls a function version that is
 * not the new one (docs/apps.md). With no changed function, the site switches at once.
 */
export function planApp(app: Pick<AppTarget, 'strategy'>, changed: { functions: number; site: boolean }): AppPlan {
  const steps = changed.functions > 0 ? planSteps(app.strategy) : [{ percent: 100, bakeSeconds: 0 }];
  return changed.site ? { steps, siteSwitchAt: steps.length - 1 } : { steps };
}

/** The components in a sentence: `api 3→4, worker unchanged (v2), web r1→r2`. */
export function describeComponents(components: Record<string, ComponentRecord>): string {
  return Object.entries(components)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, c]) => {
      const from = c.kind === 'function' ? c.fromVersion : c.fromRelease;
      const to = c.kind === 'function' ? c.toVersion : c.toRelease;
      if (!c.changed) return `${name} unchanged${from ? ` (${c.kind === 'function' ? `v${from}` : from})` : ''}`;
      return `${name} ${from ?? '(none)'}→${to ?? '(pending)'}`;
    })
    .join(', ');
}

type Health = AppTarget['health'];

/** One source of health signals: the app's own (no component), or a component's. */
export interface SignalSource {
  component?: string;
  alarms: string[];
  probe?: Health['probe'];
}

/** Every source of an app's health, the app's first: one verdict over all of them (docs/apps.md). */
export function signalSources(app: AppTarget): SignalSource[] {
  const own: SignalSource = { alarms: alarmNames(app.health.alarms), ...(app.health.probe ? { probe: app.health.probe } : {}) };
  const components = Object.keys(app.components)
    .sort()
    .map((component): SignalSource => {
      const { health } = app.components[component] as Component;
      return { component, alarms: alarmNames(health.alarms), ...(health.probe ? { probe: health.probe } : {}) };
    });
  return [own, ...components].filter((s) => s.alarms.length > 0 || s.probe);
}

/**
 * The app's health as one target's: every alarm of the app and its components, and a probe when
 * any source has one. It plans bakes (how often, whether at all); the checks go by source.
 */
export function unionHealth(app: AppTarget): Health {
  const sources = signalSources(app);
  const alarms = [...new Set(sources.flatMap((s) => s.alarms))];
  const probe = sources.find((s) => s.probe)?.probe;
  return { ...app.health, alarms, ...(probe ? { probe } : {}) };
}
