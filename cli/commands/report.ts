import type { DeploymentView } from '../../shared/domain/deployment.js';
import type { ApiClient } from '../api-client.js';
import type { CliContext } from '../context.js';
import { exitCodeFor, followDeployment, type ProgressEvent } from '../follow.js';
import { formatJson, formatSummary, formatTimelineEntry, styleFor, type Style } from '../output.js';

/** Where a command's progress lines go: stdout for people, stderr when stdout carries `--json`. */
export function progressStream(ctx: CliContext, json: boolean) {
  return json ? ctx.stderr : ctx.stdout;
}

export function formatProgress(event: ProgressEvent, style: Style, now: Date): string {
  const { startedAt } = event.deployment;
  switch (event.kind) {
    case 'timeline':
      return formatTimelineEntry(event.entry, startedAt, style);
    case 'status':
      return formatTimelineEntry({ at: now.toISOString(), step: 'status', status: event.status }, startedAt, style);
    case 'traffic':
      return formatTimelineEntry({ at: now.toISOString(), step: '', trafficPercent: event.trafficPercent }, startedAt, style);
  }
}

/** Follows a deployment to its end, printing progress, then the summary (or the JSON); returns the exit code. */
export async function followAndReport(ctx: CliContext, client: ApiClient, id: string, json: boolean): Promise<number> {
  const progress = progressStream(ctx, json);
  const style = styleFor(progress, ctx.env);
  const now = ctx.now ?? (() => new Date());
  const followedSince = now().getTime();
  const final = await followDeployment(client, id, {
    onProgress: (event) => progress.write(`  ${formatProgress(event, style, now())}\n`),
    ...(ctx.pollIntervalMs !== undefined ? { intervalMs: ctx.pollIntervalMs } : {}),
    ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
    now: () => now().getTime(),
  });
  if (json) ctx.stdout.write(formatJson(final));
  else ctx.stdout.write(formatSummary(final, durationOf(final, now().getTime() - followedSince), styleFor(ctx.stdout, ctx.env)));
  return exitCodeFor(final.status);
}

/** The deployment's own duration when it has one; otherwise how long the CLI watched. */
function durationOf(d: DeploymentView, watchedMs: number): number {
  const ms = d.endedAt ? Date.parse(d.endedAt) - Date.parse(d.startedAt) : Number.NaN;
  return Number.isFinite(ms) && ms >= 0 ? ms : watchedMs;
}
