import type { DeploymentView } from '../../shared/domain/deployment.js';
import { releaseNameProblem } from '../../shared/domain/names.js';
import { TARGET_NAME } from '../../shared/domain/target.js';
import type { PipelineEnvironmentView, PipelineView } from '../../shared/http/contract.js';
import { connect, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatJson, paintStatus, shortTime, styleFor, type Style } from '../output.js';
import { withTargetSuggestions } from '../suggest.js';
import { followAndReport, progressStream } from './report.js';
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

export interface PipelinePromoteOptions {
  release?: string;
  wait: boolean;
  json: boolean;
}

/**
 * `slipway pipeline promote <target> [--release r]`: deploys to a gated target the very artifact
 * that passed its upstream (the named release, or the newest eligible one). Behind
 * `approval: "required"` it waits for `slipway approve` and the command returns at once (exit 0);
 * otherwise it follows the deployment to its end (exit 0 only when it succeeded).
 */
export async function pipelinePromote(ctx: CliContext, target: string, options: PipelinePromoteOptions): Promise<number> {
  const problem = options.release === undefined ? undefined : releaseNameProblem(options.release);
  if (problem) throw new UsageError(`invalid release name "${options.release}": it ${problem}`);
  const { client } = await connect(ctx);
  const requested = await client.promoteRelease(target, options.release);
  const progress = progressStream(ctx, options.json);
  const style = styleFor(progress, ctx.env);
  const from = requested.promotion?.from ?? 'upstream';
  const sha = requested.sha256 ? `, sha256 ${requested.sha256.slice(0, 12)}…` : '';
  progress.write(`promoting ${style.bold(requested.release)} from ${from} into ${target}${sha}: deployment ${style.bold(requested.id)}\n`);
  if (requested.approval?.state === 'pending') {
    progress.write(`it awaits approval: npx slipway approve ${requested.id} --reason "…"  (or: npx slipway reject ${requested.id} --reason "…")\n`);
    return printed(ctx, requested, options.json);
  }
  if (!options.wait) return printed(ctx, requested, options.json);
  return followAndReport(ctx, client, requested.id, options.json);
}

export interface ApprovalOptions {
  reason: string;
  wait: boolean;
  json: boolean;
}

/** `slipway approve <id> --reason …`: the promotion starts (its window and the lock still apply); follows it to its end. */
export async function approve(ctx: CliContext, id: string, options: ApprovalOptions): Promise<number> {
  const reason = requiredReason(options.reason);
  const { client } = await connect(ctx);
  const approved = await client.approveDeployment(id, reason);
  const progress = progressStream(ctx, options.json);
  progress.write(`approved ${styleFor(progress, ctx.env).bold(approved.id)} (${approved.target} ${approved.release}): it starts now — "${reason}"\n`);
  if (!options.wait) return printed(ctx, approved, options.json);
  return followAndReport(ctx, client, approved.id, options.json);
}

/** `slipway reject <id> --reason …`: the promotion ends `cancelled`, nothing changed. */
export async function reject(ctx: CliContext, id: string, options: Omit<ApprovalOptions, 'wait'>): Promise<number> {
  const reason = requiredReason(options.reason);
  const { client } = await connect(ctx);
  const rejected = await client.rejectDeployment(id, reason);
  if (options.json) {
    ctx.stdout.write(formatJson(rejected));
    return 0;
  }
  ctx.stdout.write(`rejected ${rejected.id} (${rejected.target} ${rejected.release}): ${rejected.status}, ${rejected.reason ?? ''}\n`);
  return 0;
}

function requiredReason(value: string): string {
  const reason = value.trim();
  if (!reason) throw new UsageError('--reason must say why; it is recorded with the deployment');
  return reason;
}

function printed(ctx: CliContext, deployment: DeploymentView, json: boolean): number {
  if (json) ctx.stdout.write(formatJson(deployment));
  else ctx.stdout.write(`follow it with: npx slipway logs ${deployment.id} --follow\n`);
  return 0;
}
