import { describeComponents } from '../../shared/domain/app.js';
import { connect, type CliContext } from '../context.js';
import { formatJson, styleFor } from '../output.js';
import { withTargetSuggestions } from '../suggest.js';
import { followAndReport, progressStream } from './report.js';

export interface RollbackOptions {
  to?: string;
  wait: boolean;
  json: boolean;
}

/** Asks the API to put the target back on an earlier release (no rebuild), then follows that deployment. */
export async function rollback(ctx: CliContext, target: string, options: RollbackOptions): Promise<number> {
  const { client } = await connect(ctx);
  const requested = await withTargetSuggestions(client, target, () => client.rollback(target, options.to));
  const progress = progressStream(ctx, options.json);
  // An app names every component: where each goes back to, and which stay as they are.
  const where = requested.components ? `: ${describeComponents(requested.components)}` : requested.toVersion ? ` (version ${requested.toVersion})` : '';
  progress.write(`rolling ${target} back to release ${requested.release}${where}; deployment ${styleFor(progress, ctx.env).bold(requested.id)}\n`);
  if (!options.wait) {
    if (options.json) ctx.stdout.write(formatJson(requested));
    else ctx.stdout.write(`follow it with: npx slipway logs ${requested.id} --follow\n`);
    return 0;
  }
  return followAndReport(ctx, client, requested.id, options.json);
}
