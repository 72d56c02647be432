import { errorMessage } from '../domain/errors.js';
import { STATUS_CHANGED, statusChangedDetailSchema, type StatusChangedDetail } from '../domain/events.js';
import { slackMessage } from '../domain/notifications.js';
import type { Clock, TargetStore } from '../ports/index.js';
import type { DeadLetterStore, DeliveryAttempt, WebhookSender } from '../ports/notify.js';

export interface RetryPolicy {
  /** Posts at most this many times. */
  attempts: number;
  /** Wait before the 2nd attempt; doubled for each one after. */
  baseDelayMs: number;
  /** No wait is longer, whatever Retry-After asks for. */
  maxDelayMs: number;
  /** Per attempt. */
  timeoutMs: number;
}

/** 3 attempts, waiting 1 s then 2 s: at most 3 × 5 s + 3 s, well inside the function's timeout. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 5000, timeoutMs: 5000 };

export interface NotifyDeps {
  targets: Pick<TargetStore, 'get'>;
  webhook: WebhookSender;
  deadLetters: DeadLetterStore;
  sleep?: (ms: number) => Promise<void>;
  clock: Clock;
  retry?: RetryPolicy;
  log?: (message: string, details?: Record<string, unknown>) => void;
}

export type NotifyOutcome =
  | { outcome: 'skipped'; why: string }
  | { outcome: 'delivered'; attempts: number }
  | { outcome: 'dead-lettered'; attempts: number; error: string };

/** What the webhook's receiver says about trying again: 408, 425, 429 and 5xx are worth it; another 4xx is not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * One "Deployment Status Changed" event → at most one webhook message, when the deployment's
 * target has a webhook that lists the status. Posted up to `retry.attempts` times with doubling
 * waits (network errors, timeouts, 408/425/429/5xx); a message still not accepted, or refused
 * outright (another 4xx), is written as a dead letter. Events EventBridge delivers twice may be
 * posted twice: webhooks get at-least-once delivery.
 */
export async function notify(deps: NotifyDeps, event: { 'detail-type'?: string; detail?: unknown }): Promise<NotifyOutcome> {
  if (event['detail-type'] !== STATUS_CHANGED) return { outcome: 'skipped', why: `not a "${STATUS_CHANGED}" event` };
  const parsed = statusChangedDetailSchema.safeParse(event.detail);
  if (!parsed.success) {
    // A detail this version does not understand: retrying cannot help, so it is logged, not thrown.
    const why = `detail does not match schema version 1: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
    deps.log?.('notify: skipping an event', { why });
    return { outcome: 'skipped', why };
  }
  const detail = parsed.data;
  const target = await deps.targets.get(detail.target);
  const webhook = target?.notifications?.webhook;
  if (!webhook) return { outcome: 'skipped', why: `target "${detail.target}" has no webhook` };
  if (!webhook.events.includes(detail.status)) return { outcome: 'skipped', why: `the webhook of "${detail.target}" does not list ${detail.status}` };
  return deliver(deps, webhook.url, detail);
}

async function deliver(deps: NotifyDeps, url: string, detail: StatusChangedDetail): Promise<NotifyOutcome> {
  const policy = deps.retry ?? DEFAULT_RETRY_POLICY;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const payload = slackMessage(detail);
  const attempts: DeliveryAttempt[] = [];
  let error = '';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    let retryable = true;
    let retryAfterMs: number | undefined;
    const at = deps.clock.now().toISOString();
    try {
      const response = await deps.webhook.post(url, payload, { timeoutMs: policy.timeoutMs });
      if (response.status >= 200 && response.status < 300) return { outcome: 'delivered', attempts: attempt };
      error = `HTTP ${response.status}`;
      retryable = isRetryableStatus(response.status);
      if (response.retryAfterSeconds !== undefined) retryAfterMs = response.retryAfterSeconds * 1000;
    } catch (failure) {
      error = (failure as Error)?.name === 'TimeoutError' ? `timed out after ${policy.timeoutMs} ms` : describeFetchError(failure);
    }
    attempts.push({ at, outcome: error });
    deps.log?.('notify: webhook attempt failed', { deploymentId: detail.deploymentId, attempt, error, webhook: origin(url) });
    if (!retryable || attempt === policy.attempts) break;
    await sleep(Math.min(policy.maxDelayMs, retryAfterMs ?? policy.baseDelayMs * 2 ** (attempt - 1)));
  }
  const summary = `webhook ${origin(url)} did not accept the message after ${attempts.length} attempt(s): ${error}`;
  await deps.deadLetters.put({
    target: detail.target,
    deploymentId: detail.deploymentId,
    release: detail.release,
    status: detail.status,
    webhook: origin(url),
    payload,
    attempts,
    error: summary,
    at: deps.clock.now().toISOString(),
  });
  return { outcome: 'dead-lettered', attempts: attempts.length, error: summary };
}

/** fetch's TypeError hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, …). */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? errorMessage(error);
}
