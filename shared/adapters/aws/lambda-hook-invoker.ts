import { InvokeCommand } from '@aws-sdk/client-lambda';
import { HookFailedError } from '../../domain/errors.js';
import type { HookInvoker } from '../../ports/index.js';
import { LambdaAdapter } from './lambda-adapter.js';

export class LambdaHookInvoker extends LambdaAdapter implements HookInvoker {
  async invokeHook(fn: string, payload: unknown): Promise<unknown> {
    const out = await this.call(`invoking hook ${fn}`, () =>
      this.client.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(payload)) })),
    );
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
}
