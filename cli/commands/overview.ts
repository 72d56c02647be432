/**
 * `slipway status [target]` without a deployment id, and `slipway stats`: what is live everywhere
 * (GET /summary) and the delivery metrics (GET /metrics).
 */
import { RouteMissingError } from '../api-client.js';
import { connect, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { formatOverview, formatStats, formatTargetStatus } from '../overview.js';
import { formatJson, isInteractive, styleFor } from '../output.js';
import { unknownTargetMessage } from '../suggest.js';
import { userTimeZone } from '../time.js';

/** A deployment id as slipway makes them: `d-` and 20 hex digits. */
export const DEPLOYMENT_ID = /^d-[0-9a-f]{20}$/;

function olderApi(missing: RouteMissingError, what: string): CliError {
  return new CliError(
    `the slipway API at ${missing.apiUrl} is older than this CLI and has no ${missing.method} ${missing.path}, so ${what} cannot be shown; ` +
      'update it (`serverless deploy`, or restart `npm start` on a current checkout), or pass a deployment id: `npx slipway status d-…`',
    1,
    { cause: missing },
  );
}

/**
 * `slipway status` (every target) or `slipway status <target>`. Answers `undefined` when `name`
 * is no target but may be a deployment id, for the caller to look up.
 */
export async function targetStatus(ctx: CliContext, name: string | undefined, options: { json: boolean }): Promise<number | undefined> {
  const { client } = await connect(ctx);
  let summary: Awaited<ReturnType<typeof client.getSummary>>;
  try {
    summary = await client.getSummary();
  } catch (error) {
    if (!(error instanceof RouteMissingError)) throw error;
    if (name !== undefined) return undefined;
    throw olderApi(error, 'what is live on each target');
  }
  const now = (ctx.now ?? (() => new Date()))();
  const style = styleFor(ctx.stdout, ctx.env);
  if (name === undefined) {
    ctx.stdout.write(options.json ? formatJson(summary) : formatOverview(summary.targets, style, now));
    return 0;
  }
  const one = summary.targets.find((t) => t.name === name);
  if (!one) return undefined;
  ctx.stdout.write(options.json ? formatJson(one) : formatTargetStatus(one, style, { now, timezone: userTimeZone(ctx.env) }));
  return 0;
}

/** The message for a name that is neither a target nor a deployment. */
export async function notATargetNorDeployment(ctx: CliContext, name: string): Promise<CliError> {
  const { client } = await connect(ctx);
  const names = (await client.listTargets()).map((t) => t.name);
  const message = unknownTargetMessage(name, names);
  return new CliError(`${message}\n(nor is "${name}" a deployment; deployment ids look like d-0123456789abcdef0123: see \`npx slipway history\`)`, 2);
}

export async function stats(ctx: CliContext, target: string | undefined, options: { since?: string; until?: string; json: boolean }): Promise<number> {
  const { client } = await connect(ctx);
  const query = {
    ...(target !== undefined ? { target } : {}),
    ...(options.since ? { since: options.since } : {}),
    ...(options.until ? { until: options.until } : {}),
  };
  let metrics: Awaited<ReturnType<typeof client.getMetrics>>;
  try {
    const { withTargetSuggestions } = await import('../suggest.js');
    metrics = target !== undefined ? await withTargetSuggestions(client, target, () => client.getMetrics(query)) : await client.getMetrics(query);
  } catch (error) {
    if (error instanceof RouteMissingError) throw olderApi(error, 'delivery metrics');
    throw error;
  }
  ctx.stdout.write(options.json ? formatJson(metrics) : formatStats(metrics, styleFor(ctx.stdout, ctx.env), { bars: isInteractive(ctx.stdout, ctx.env) }));
  return 0;
}
