import type { DeploymentStatus, DeploymentView, Trigger } from '../../shared/domain/deployment.js';
import { DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT } from '../../shared/http/contract.js';
import { RouteMissingError, type ApiClient } from '../api-client.js';
import { connect, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { formatDeployment, formatHistory, formatJson, styleFor } from '../output.js';
import { withTargetSuggestions } from '../suggest.js';
import { userTimeZone } from '../time.js';

/** `slipway status <id>`; `notFound` words the error when the name may have been meant as a target. */
export async function status(ctx: CliContext, id: string, options: { json: boolean }, notFound?: () => Promise<CliError>): Promise<number> {
  const { client } = await connect(ctx);
  const deployment = await client.getDeployment(id);
  if (!deployment) {
    if (notFound) throw await notFound();
    throw new CliError(`deployment ${id} not found (ids look like d-0123456789abcdef0123; see \`npx slipway history\`)`, 2);
  }
  const now = (ctx.now ?? (() => new Date()))();
  ctx.stdout.write(
    options.json ? formatJson(deployment) : formatDeployment(deployment, styleFor(ctx.stdout, ctx.env), { timezone: userTimeZone(ctx.env), now }),
  );
  return 0;
}

export interface HistoryOptions {
  target?: string;
  status?: DeploymentStatus;
  trigger?: Trigger;
  /** `<N>d` or an ISO time; the API checks it. */
  since?: string;
  until?: string;
  /** How many to show (default 20); pages of at most 100 are fetched until there are that many. */
  limit?: number;
  /** Every one: follows the cursors to the end. */
  all: boolean;
  json: boolean;
}

interface HistoryResult {
  deployments: DeploymentView[];
  /** There are more than were fetched. */
  more: boolean;
  /** Said on stderr: a limit of the API being talked to. */
  note?: string;
}

/**
 * `slipway history [--target t] [--status s] [--trigger t] [--since 7d] [--until time] [--limit n | --all]`:
 * deployments newest first, across targets or of one, through `GET /deployments` and its cursors.
 * An API without that route still answers for one target (its newest 100, filtered here by status;
 * trigger and period need the route).
 */
export async function history(ctx: CliContext, options: HistoryOptions): Promise<number> {
  const { client } = await connect(ctx);
  const wanted = options.all ? Number.POSITIVE_INFINITY : (options.limit ?? DEFAULT_HISTORY_LIMIT);
  let result: HistoryResult;
  try {
    result = await pageThrough(client, options, wanted);
  } catch (error) {
    if (!(error instanceof RouteMissingError)) throw error;
    result = await perTargetHistory(client, options, wanted, error);
  }
  if (result.deployments.length === 0 && options.target !== undefined) {
    // Nothing at all may mean a mistyped target: say so rather than "no deployments".
    await withTargetSuggestions(client, options.target, () => client.getTarget(options.target!));
  }
  if (options.json) {
    ctx.stdout.write(formatJson(result.deployments));
  } else {
    const now = (ctx.now ?? (() => new Date()))();
    ctx.stdout.write(formatHistory(result.deployments, styleFor(ctx.stdout, ctx.env), { targetColumn: options.target === undefined, now }));
    if (result.more) ctx.stderr.write(`(newest ${result.deployments.length} shown; --limit <n> or --all for more)\n`);
  }
  if (result.note) ctx.stderr.write(`${result.note}\n`);
  return 0;
}

async function pageThrough(client: ApiClient, options: HistoryOptions, wanted: number): Promise<HistoryResult> {
  const deployments: DeploymentView[] = [];
  let cursor: string | undefined;
  const query = {
    ...(options.target !== undefined ? { target: options.target } : {}),
    ...(options.status ? { status: options.status } : {}),
    ...(options.trigger ? { trigger: options.trigger } : {}),
    ...(options.since ? { since: options.since } : {}),
    ...(options.until ? { until: options.until } : {}),
  };
  const run = async () => {
    do {
      const limit = Math.min(MAX_HISTORY_LIMIT, wanted - deployments.length);
      const page = await client.queryDeployments({ ...query, limit, ...(cursor !== undefined ? { cursor } : {}) });
      deployments.push(...page.deployments);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && deployments.length < wanted);
  };
  if (options.target !== undefined) await withTargetSuggestions(client, options.target, run);
  else await run();
  return { deployments, more: cursor !== undefined };
}

async function perTargetHistory(client: ApiClient, options: HistoryOptions, wanted: number, missing: RouteMissingError): Promise<HistoryResult> {
  const target = options.target;
  if (target === undefined) {
    throw new CliError(
      `the slipway API at ${missing.apiUrl} lists deployments per target only (it has no ${missing.method} ${missing.path} yet): ` +
        'pass one, `npx slipway history <target>`, or update the API',
      1,
      { cause: missing },
    );
  }
  if (options.trigger || options.since || options.until) {
    throw new CliError(
      `the slipway API at ${missing.apiUrl} cannot filter by trigger or period (it has no ${missing.method} ${missing.path} yet): ` +
        'leave out --trigger, --since and --until, or update the API',
      1,
      { cause: missing },
    );
  }
  // Without a status filter the API can stop at `wanted`; with one, filter its newest 100 here.
  const fetchCount = options.status ? MAX_HISTORY_LIMIT : Math.min(MAX_HISTORY_LIMIT, wanted);
  const listed = await withTargetSuggestions(client, target, () => client.listDeployments(target, fetchCount));
  const matching = options.status ? listed.filter((d) => d.status === options.status) : listed;
  const deployments = matching.slice(0, Number.isFinite(wanted) ? wanted : undefined);
  const capped = listed.length === MAX_HISTORY_LIMIT && (options.all || options.status !== undefined || wanted > MAX_HISTORY_LIMIT);
  return {
    deployments,
    more: matching.length > deployments.length,
    ...(capped ? { note: `(this slipway API has no paging yet: only the newest ${MAX_HISTORY_LIMIT} deployments of ${target} were searched)` } : {}),
  };
}
