import { describeComponents } from '../../shared/domain/app.js';
import type { DeploymentView } from '../../shared/domain/deployment.js';
import type { ApiClient, StoredTarget } from '../api-client.js';
import type { CliContext } from '../context.js';
import { exitCodeFor, followDeployment } from '../follow.js';
import { DeploymentNarrator, LiveLine } from '../live.js';
import { formatJson, formatSummary, isInteractive, styleFor } from '../output.js';
import { userTimeZone } from '../time.js';

/** Where a command's progress lines go: stdout for people, stderr when stdout carries `--json`. */
export function progressStream(ctx: CliContext, json: boolean) {
  return json ? ctx.stderr : ctx.stdout;
}

export interface FollowReportOptions {
  /** The target, when the caller already has it (its strategy gives the bake lengths); else looked up once. */
  target?: StoredTarget;
  /** The exit code for the final deployment; by default 0 only for `succeeded`. */
  exitCode?: (final: DeploymentView) => number;
  /** Every answer while following, e.g. to check what the API recorded. */
  onPoll?: (deployment: DeploymentView) => void;
}

/**
 * Follows a deployment to its end, printing each step, traffic percent, bake and health verdict,
 * then the one-line summary with the duration (or, with --json, only the final deployment on
 * stdout). At a terminal a live line below shows the status, traffic and the bake countdown.
 * Returns the exit code.
 */
export async function followAndReport(ctx: CliContext, client: ApiClient, id: string, json: boolean, options: FollowReportOptions = {}): Promise<number> {
  const progress = progressStream(ctx, json);
  const style = styleFor(progress, ctx.env);
  const now = ctx.now ?? (() => new Date());
  const followedSince = now().getTime();
  const live = isInteractive(progress, ctx.env) ? new LiveLine(progress) : undefined;
  const timezone = userTimeZone(ctx.env);
  let narrator: DeploymentNarrator | undefined = options.target ? new DeploymentNarrator(style, options.target, { timezone }) : undefined;
  let latest: DeploymentView | undefined;
  let components: string | undefined;
  const redraw = () => {
    if (live && latest && narrator) live.render(narrator.statusLine(latest, now(), live.spinner));
  };
  // The countdown moves between polls too; unref'd so it never keeps the process alive.
  const ticker = live ? setInterval(redraw, 200).unref() : undefined;

  let final: DeploymentView;
  try {
    final = await followDeployment(client, id, {
      onPoll: async (deployment) => {
        latest = deployment;
        options.onPoll?.(deployment);
        // An app's components, each time what is known of them changes (the versions appear once staged).
        const described = deployment.components ? describeComponents(deployment.components) : undefined;
        if (described && described !== components) {
          components = described;
          const text = `  components  ${described}\n`;
          if (live) live.print(text);
          else progress.write(text);
        }
        if (!narrator) narrator = new DeploymentNarrator(style, await client.getTarget(deployment.target).catch(() => undefined), { timezone });
      },
      onProgress: (event) => {
        const lines = (narrator ?? new DeploymentNarrator(style, undefined, { timezone })).lines(event, now());
        const text = lines.map((line) => `  ${line}\n`).join('');
        if (live) live.print(text);
        else progress.write(text);
        redraw();
      },
      ...(ctx.pollIntervalMs !== undefined ? { intervalMs: ctx.pollIntervalMs } : {}),
      ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
      now: () => now().getTime(),
    });
  } finally {
    if (ticker) clearInterval(ticker);
    live?.clear();
  }
  if (json) ctx.stdout.write(formatJson(final));
  else ctx.stdout.write(formatSummary(final, durationOf(final, now().getTime() - followedSince), styleFor(ctx.stdout, ctx.env)));
  return (options.exitCode ?? ((d: DeploymentView) => exitCodeFor(d.status)))(final);
}

/** The deployment's own duration when it has one; otherwise how long the CLI watched. */
function durationOf(d: DeploymentView, watchedMs: number): number {
  const ms = d.endedAt ? Date.parse(d.endedAt) - Date.parse(d.startedAt) : Number.NaN;
  return Number.isFinite(ms) && ms >= 0 ? ms : watchedMs;
}
