import { TARGET_NAME } from '../../shared/domain/target.js';
import type { PipelineEnvironmentView, PipelineView } from '../../shared/http/contract.js';
import { connect, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatJson, paintStatus, shortTime, styleFor, type Style } from '../output.js';
import { withTargetSuggestions } from '../suggest.js';
import { formatLongDuration } from '../time.js';

/** `slipway pipeline show <target>`: the chain of environments the target belongs to, one block each. */
export async function showPipeline(ctx: CliContext, target: string, options: { json: boolean }): Promise<number> {
  if (!TARGET_NAME.test(target)) throw new UsageError(`invalid target name "${target}": it must match [a-z0-9][a-z0-9-]{0,47}`);
  const { client } = await connect(ctx);
  const view = await withTargetSuggestions(client, target, () => client.getPipeline(target));
  if (options.json) ctx.stdout.write(formatJson(view));
  else ctx.stdout.write(formatPipeline(view, styleFor(ctx.stdout, ctx.env)));
  return 0;
}

/** The first 12 hex digits: enough to tell releases apart at a glance (`--json` has them whole). */
const short = (hex: string | null) => (hex ? hex.slice(0, 12) : '-');

function gates(env: PipelineEnvironmentView): string {
  const p = env.promotion;
  if (!p) return 'root';
  const soak = p.soakSeconds > 0 ? `soak ${formatLongDuration(p.soakSeconds * 1000)}` : 'no soak';
  return `from ${p.from}, ${soak}, approval ${p.approval}${p.auto ? ', auto' : ''}`;
}

/** The `pipeline show` text. */
export function formatPipeline(view: PipelineView, style: Style): string {
  const out: string[] = [`${style.bold(`pipeline of ${view.target}`)} (root ${view.root}, ${view.environments.length} environments)`];
  for (const problem of view.problems) out.push(style.yellow(`! ${problem}`));
  for (const env of view.environments) {
    out.push('', `${style.bold(env.name)}${env.name === view.target ? ' *' : ''}  ${env.kind}  ${style.dim(gates(env))}`);
    const live = env.live;
    out.push(
      live
        ? `  live      ${live.release}  sha256 ${short(live.sha256)}  config ${short(live.configDigest)}  since ${shortTime(live.since)}`
        : '  live      nothing yet (no deployment has succeeded)',
    );
    if (env.running) {
      out.push(`  running   ${env.running.release}  ${paintStatus(env.running.status, style)} ${env.running.trafficPercent}%  ${env.running.id}`);
    }
    if (env.next) {
      const c = env.next.candidate;
      out.push(
        c && !c.alreadyLive
          ? `  next      ${style.green(c.release)}  sha256 ${short(c.sha256)}  ${env.next.why}`
          : `  next      ${style.dim('none')}: ${env.next.why}`,
      );
    }
    if (env.awaitingApproval.length > 0) {
      out.push(`  awaiting approval (${env.awaitingApproval.length})`);
      for (const a of env.awaitingApproval) {
        out.push(`    ${a.id}  ${a.release}  requested ${shortTime(a.requestedAt)}${a.requestedBy ? ` by ${a.requestedBy}` : ''}`);
      }
    }
  }
  if (view.omitted > 0)
    out.push('', style.dim(`… and ${view.omitted} more environments (a view shows at most ${view.environments.length}); ask for one of them by name`));
  return `${out.join('\n')}\n`;
}
