import type { DeploymentView } from '../../shared/domain/deployment.js';
import { connect, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatJson, styleFor } from '../output.js';
import { followAndReport, progressStream } from './report.js';

export interface CancelOptions {
  reason?: string;
  wait: boolean;
  json: boolean;
}

/**
 * `slipway cancel <id>`: before any traffic moved the deployment ends `cancelled` with nothing
 * changed; after, it is rolled back. Follows it to that end; the exit code says whether the
 * cancel took: 0 when it ended cancelled or rolled back, 1 when it ended otherwise (it finished
 * or failed before the cancel reached it).
 */
export async function cancel(ctx: CliContext, id: string, options: CancelOptions): Promise<number> {
  const reason = options.reason?.trim();
  if (options.reason !== undefined && !reason) throw new UsageError('--reason must not be empty (leave it out to give none)');
  const { client } = await connect(ctx);
  const requested = await client.cancelDeployment(id, reason);
  const progress = progressStream(ctx, options.json);
  const style = styleFor(progress, ctx.env);
  const consequence = requested.trafficPercent > 0 ? 'traffic has moved, so it rolls back' : 'no traffic has moved, so it ends cancelled with nothing changed';
  progress.write(`cancelling ${style.bold(requested.id)} (${requested.target} ${requested.release}, ${requested.status}): ${consequence}\n`);
  if (!options.wait) return printRequested(ctx, requested, options.json);
  return followAndReport(ctx, client, requested.id, options.json, {
    exitCode: (final) => (final.status === 'cancelled' || final.status === 'rolled_back' ? 0 : 1),
  });
}

export interface PromoteOptions {
  reason: string;
  wait: boolean;
  json: boolean;
}

/**
 * `slipway promote <id> --reason …`: skips the rest of the current bake, or starts a deployment
 * that waits for its window or schedule now, despite the window or a freeze (break-glass). Recorded
 * in the timeline with who and why; follows the deployment to its end: exit 0 only when it succeeded.
 */
export async function promote(ctx: CliContext, id: string, options: PromoteOptions): Promise<number> {
  const reason = options.reason.trim();
  if (!reason) throw new UsageError('--reason must say why; it is recorded in the timeline');
  const { client } = await connect(ctx);
  const requested = await client.promoteDeployment(id, reason);
  const progress = progressStream(ctx, options.json);
  const who = `${styleFor(progress, ctx.env).bold(requested.id)} (${requested.target} ${requested.release}`;
  progress.write(
    requested.status === 'waiting' || requested.status === 'queued'
      ? `promoted ${who}, ${requested.status}): it starts now, despite the deploy window, freezes and any --at — "${reason}"\n`
      : `promoted ${who} at ${requested.trafficPercent}%): the rest of the bake is skipped — "${reason}"\n`,
  );
  if (!options.wait) return printRequested(ctx, requested, options.json);
  return followAndReport(ctx, client, requested.id, options.json);
}

function printRequested(ctx: CliContext, requested: DeploymentView, json: boolean): number {
  if (json) ctx.stdout.write(formatJson(requested));
  else ctx.stdout.write(`follow it with: npx slipway logs ${requested.id} --follow\n`);
  return 0;
}
