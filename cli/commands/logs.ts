import { isTerminal, type TimelineEntry } from '../../shared/domain/deployment.js';
import type { DeploymentTimeline } from '../../shared/http/contract.js';
import { ApiProblemError, ApiUnreachableError, RouteMissingError, type ApiClient } from '../api-client.js';
import { connect, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { exitCodeFor } from '../follow.js';
import { formatJson, formatTimelineEntry, paintStatus, shortTime, styleFor, type Style } from '../output.js';
import { formatWaitLine, waitOf } from '../time.js';

export interface LogsOptions {
  follow: boolean;
  json: boolean;
}

/** How long `--follow` waits for a deployment that does not exist yet (an upload intake has not picked up). */
const APPEAR_WITHIN_MS = 60_000;
const MAX_FAILED_POLLS = 20;
const WAITING_INTERVAL_MS = 5_000;

/**
 * The timeline of a deployment: `GET /deployments/{id}/events`, or the timeline inside
 * `GET /deployments/{id}` from an API that predates the events route (same entries, same shape).
 */
class TimelineReader {
  #eventsRoute = true;

  constructor(readonly client: ApiClient) {}

  async read(id: string): Promise<DeploymentTimeline | undefined> {
    if (this.#eventsRoute) {
      try {
        return await this.client.deploymentEvents(id);
      } catch (error) {
        if (!(error instanceof RouteMissingError)) throw error;
        this.#eventsRoute = false;
      }
    }
    const deployment = await this.client.getDeployment(id);
    return deployment && { deploymentId: deployment.id, status: deployment.status, events: deployment.timeline };
  }
}

/**
 * `slipway logs <id> [--follow]`: prints the timeline; with --follow, new entries as they come
 * until the deployment ends, and then exits like `deploy` (0 succeeded, 1 otherwise), so a script
 * can wait on a deployment it did not start. `--json`: the events document, or with --follow one
 * JSON entry per line (NDJSON).
 */
export async function logs(ctx: CliContext, id: string, options: LogsOptions): Promise<number> {
  const { client } = await connect(ctx);
  const reader = new TimelineReader(client);
  const style = styleFor(ctx.stdout, ctx.env);
  if (!options.follow) {
    const timeline = await reader.read(id);
    if (!timeline) throw notFound(id);
    if (options.json) ctx.stdout.write(formatJson(timeline));
    else ctx.stdout.write(formatTimeline(timeline, style, (ctx.now ?? (() => new Date()))()));
    return 0;
  }

  const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const intervalMs = ctx.pollIntervalMs ?? 1000;
  const now = () => (ctx.now ?? (() => new Date()))().getTime();
  const since = now();
  let printed = 0;
  let failedPolls = 0;
  let waitingSaid = false;
  let waitedSaid = false;
  let base: string | undefined;
  for (;;) {
    let timeline: DeploymentTimeline | undefined;
    try {
      timeline = await reader.read(id);
      failedPolls = 0;
    } catch (error) {
      const transient = error instanceof ApiUnreachableError || (error instanceof ApiProblemError && error.problem.status >= 500);
      if (!transient || ++failedPolls >= MAX_FAILED_POLLS) throw error;
      await sleep(intervalMs);
      continue;
    }
    if (!timeline) {
      if (printed > 0 || now() - since > APPEAR_WITHIN_MS) throw notFound(id);
      if (!waitingSaid && !options.json) ctx.stderr.write(`waiting for deployment ${id} to appear…\n`);
      waitingSaid = true;
      await sleep(intervalMs);
      continue;
    }
    base ??= timeline.events[0]?.at;
    for (const entry of timeline.events.slice(printed)) {
      ctx.stdout.write(options.json ? `${JSON.stringify(entry)}\n` : `${formatLogLine(entry, base ?? entry.at, style)}\n`);
    }
    printed = Math.max(printed, timeline.events.length);
    // Once a deployment that waited for its window starts (or ends without starting): how long and why.
    const wait = waitedSaid || options.json ? undefined : waitOf(asDeployment(timeline), new Date(now()));
    if (wait?.until) {
      ctx.stdout.write(`${formatWaitLine(wait)}\n`);
      waitedSaid = true;
    }
    if (isTerminal(timeline.status)) {
      if (!options.json) ctx.stdout.write(`${timeline.deploymentId} ${paintStatus(timeline.status, style)}\n`);
      return exitCodeFor(timeline.status);
    }
    // A deployment waiting for its window may wait for days: check less often meanwhile.
    await sleep(timeline.status === 'waiting' ? Math.max(intervalMs, WAITING_INTERVAL_MS) : intervalMs);
  }
}

function notFound(id: string): CliError {
  return new CliError(`deployment ${id} not found (ids look like d-0123456789abcdef0123; see \`npx slipway history\`)`, 2);
}

/** `2026-11-26 21:15:00Z  +0.4s   shift  shifting  traffic 50%  · 50% of traffic on version 2` */
export function formatLogLine(entry: TimelineEntry, base: string, style: Style): string {
  return `${style.dim(shortTime(entry.at))}  ${formatTimelineEntry(entry, base, style)}`;
}

function asDeployment(timeline: DeploymentTimeline) {
  return { status: timeline.status, timeline: timeline.events, endedAt: null };
}

/** The entries, a line on how long and why it waited for its window (when it did), and the status. */
export function formatTimeline(timeline: DeploymentTimeline, style: Style, now = new Date()): string {
  const base = timeline.events[0]?.at;
  const lines = timeline.events.map((entry) => formatLogLine(entry, base ?? entry.at, style));
  const wait = waitOf(asDeployment(timeline), now);
  if (wait) lines.push(formatWaitLine(wait));
  lines.push(`${timeline.deploymentId} ${paintStatus(timeline.status, style)}${isTerminal(timeline.status) ? '' : ' (still running; --follow to watch)'}`);
  return `${lines.join('\n')}\n`;
}
