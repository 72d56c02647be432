import type { DeploymentView } from '../../shared/domain/deployment.js';
import { releaseNameProblem } from '../../shared/domain/names.js';
import { connect, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatJson, styleFor } from '../output.js';
import { followAndReport, progressStream } from './report.js';

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
    progress.write(`it awaits approval: slipway approve ${requested.id} --reason "…"  (or: slipway reject ${requested.id} --reason "…")\n`);
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
  else ctx.stdout.write(`follow it with: slipway logs ${deployment.id} --follow\n`);
  return 0;
}
