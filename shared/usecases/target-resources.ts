/**
 * Whether what a target names exists: its function and alias, or its distribution with an origin
 * on its bucket (each of an app's components). Applying a target never fails on it (the resources
 * may come after, from the team's own stack); the answer warns, so the first deployment does not
 * fail for a reason that was visible at registration.
 */
import { siteComponent, functionComponents } from '../domain/app.js';
import { MissingResourceError } from '../domain/errors.js';
import type { FunctionTarget, SiteTarget, Target } from '../domain/target.js';
import type { AliasReader } from '../ports/index.js';
import type { OriginSwitch } from '../ports/site.js';

export interface TargetResourceDeps {
  aliases: AliasReader;
  origins: Pick<OriginSwitch, 'currentOriginPath'>;
}

async function functionWarning(deps: TargetResourceDeps, fn: FunctionTarget['function'], label: string): Promise<string | undefined> {
  try {
    await deps.aliases.getAlias(fn.name, fn.alias);
    return undefined;
  } catch (error) {
    if (error instanceof MissingResourceError) {
      return (
        `${label}function ${fn.name} or its alias ${fn.alias} does not exist, so a deployment would fail: ` +
        `create the function, then \`aws lambda create-alias --function-name ${fn.name} --name ${fn.alias} --function-version 1\``
      );
    }
    return `${label}could not check function ${fn.name}:${fn.alias} (${(error as Error).message})`;
  }
}

async function siteWarning(deps: TargetResourceDeps, site: SiteTarget['site'], label: string): Promise<string | undefined> {
  try {
    await deps.origins.currentOriginPath(site.distributionId, site.bucket);
    return undefined;
  } catch (error) {
    if (error instanceof MissingResourceError) {
      return `${label}${error.message}, so a deployment would fail: create the distribution with an S3 origin on bucket ${site.bucket}, or fix the target`;
    }
    return `${label}could not check distribution ${site.distributionId} (${(error as Error).message})`;
  }
}

/** One sentence per missing or uncheckable resource; none when everything is there. */
export async function targetResourceWarnings(deps: TargetResourceDeps, target: Target): Promise<string[]> {
  const checks: Promise<string | undefined>[] = [];
  if (target.kind === 'function') checks.push(functionWarning(deps, target.function, ''));
  if (target.kind === 'site') checks.push(siteWarning(deps, target.site, ''));
  if (target.kind === 'app') {
    for (const c of functionComponents(target)) checks.push(functionWarning(deps, c.target.function, `component ${c.component}: `));
    const site = siteComponent(target);
    if (site) checks.push(siteWarning(deps, site.target.site, `component ${site.component}: `));
  }
  return (await Promise.all(checks)).filter((w): w is string => w !== undefined);
}
