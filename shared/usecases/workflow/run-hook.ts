import { assertNotCancelled } from '../../domain/control.js';
import { DeploymentNotFoundError, HookFailedError } from '../../domain/errors.js';
import type { DeploymentStore, HookInvoker } from '../../ports/index.js';
import { requireTarget, type HookSummary, type WorkflowState } from './state.js';

export interface RunHookDeps {
  deployments: DeploymentStore;
  hooks: HookInvoker;
}

export type HookPhase = 'preTraffic' | 'postTraffic';

/**
 * A hook may answer up to Lambda's 6 MB; the state keeps at most this much of its reason, and a
 * failure's message (which Step Functions puts into the state as the Catch's `Cause`) as much.
 */
export const HOOK_REASON_MAX_BYTES = 1024;
const STATUS_MAX_LENGTH = 64;

/**
 * Invokes the target's pre- or post-traffic hook with the deployment, CodeDeploy style: an error
 * or `{ "status": "Failed" }` aborts (HookFailedError), anything else lets it go on. Returns what
 * the state keeps of the answer: its status and a bounded reason, never the raw payload.
 */
export async function runHook(deps: RunHookDeps, input: { phase: HookPhase; state: WorkflowState }): Promise<HookSummary> {
  const target = requireTarget(input.state);
  const hook = target.health[input.phase];
  if (!hook) return { status: 'Skipped' };
  const deployment = await deps.deployments.get(input.state.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(input.state.deploymentId);
  assertNotCancelled(deployment);
  let answer: unknown;
  try {
    answer = await deps.hooks.invokeHook(hook, {
      phase: input.phase,
      deploymentId: deployment.id,
      target: deployment.target,
      release: deployment.release,
      ...(target.kind === 'function'
        ? { functionName: target.function.name, alias: target.function.alias }
        : target.kind === 'site'
          ? { bucket: target.site.bucket, distributionId: target.site.distributionId }
          : { components: deployment.components ?? {} }),
      fromVersion: deployment.fromVersion,
      toVersion: deployment.toVersion,
    });
  } catch (error) {
    // A hook's failure reason is its own text, of any length, and the error becomes the state's
    // `Cause`. Without the original as `cause`: logged, it would carry the whole text again.
    if (error instanceof HookFailedError && Buffer.byteLength(error.message, 'utf8') > HOOK_REASON_MAX_BYTES) {
      throw new HookFailedError(truncateUtf8(error.message, HOOK_REASON_MAX_BYTES));
    }
    throw error;
  }
  await deps.deployments.update(deployment.id, {}, { step: input.phase, message: `hook ${hook} passed` });
  return summarizeHookAnswer(answer);
}

/** What the workflow keeps of a passing hook's answer: `status` (Succeeded unless it names one) and a bounded `reason`. */
export function summarizeHookAnswer(answer: unknown): HookSummary {
  const fields = answer && typeof answer === 'object' && !Array.isArray(answer) ? (answer as { status?: unknown; reason?: unknown }) : {};
  const status = typeof fields.status === 'string' && fields.status !== '' ? fields.status.slice(0, STATUS_MAX_LENGTH) : 'Succeeded';
  const reason = typeof fields.reason === 'string' && fields.reason !== '' ? truncateUtf8(fields.reason, HOOK_REASON_MAX_BYTES) : undefined;
  return { status, ...(reason !== undefined ? { reason } : {}) };
}

const ELLIPSIS = '…';

/** `text` cut to at most `maxBytes` of UTF-8 (an ellipsis included), never inside a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(ELLIPSIS, 'utf8');
  let bytes = 0;
  let cut = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    cut += char.length;
  }
  return `${text.slice(0, cut)}${ELLIPSIS}`;
}
