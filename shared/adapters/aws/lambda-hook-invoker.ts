import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { HookFailedError } from '../../domain/errors.js';
import type { HookInvoker } from '../../ports/index.js';
import { LambdaAdapter, type LambdaAdapterOptions } from './lambda-adapter.js';

/**
 * The longest slipway waits for a hook's answer: 14 minutes, so that the runHook function
 * (15 minutes, Lambda's maximum) ends with a HookFailedError, which is not retried, rather than
 * timing out itself, which Step Functions would retry, running the hook again.
 */
export const HOOK_DEADLINE_MS = 840_000;

export interface LambdaHookInvokerOptions extends LambdaAdapterOptions {
  deadlineMs?: number;
}

export class LambdaHookInvoker extends LambdaAdapter implements HookInvoker {
  private readonly deadlineMs: number;

  constructor(options: LambdaHookInvokerOptions = {}) {
    super(options);
    this.deadlineMs = options.deadlineMs ?? HOOK_DEADLINE_MS;
  }

  async invokeHook(fn: string, payload: unknown): Promise<unknown> {
    const out = await this.invokeWithinDeadline(fn, payload);
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    let result: unknown = text;
    try {
      result = text ? JSON.parse(text) : null;
    } catch {
      // a hook may answer with plain text; only an error or { status: "Failed" } fails it
    }
    if (out.FunctionError) {
      const message = (result as { errorMessage?: string })?.errorMessage ?? text;
      throw new HookFailedError(`hook ${fn} failed: ${message}`);
    }
    if (result && typeof result === 'object' && (result as { status?: unknown }).status === 'Failed') {
      const why = (result as { reason?: unknown }).reason;
      throw new HookFailedError(`hook ${fn} returned status Failed${typeof why === 'string' ? `: ${why}` : ''}`);
    }
    return result;
  }

  private async invokeWithinDeadline(fn: string, payload: unknown): Promise<InvokeCommandOutput> {
    const deadline = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const seconds = this.deadlineMs / 1000;
        reject(new HookFailedError(`hook ${fn} did not answer within ${seconds} s: slipway waits no longer for a hook, so make it return within that time`));
        deadline.abort();
      }, this.deadlineMs);
    });
    try {
      return await Promise.race([
        this.call(`invoking hook ${fn}`, () =>
          this.client.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(payload)) }), { abortSignal: deadline.signal }),
        ),
        expired,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
