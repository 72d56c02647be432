import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { MissingResourceError } from '../../domain/errors.js';
import type { SyntheticAnswer, SyntheticInvoker } from '../../ports/index.js';
import { LambdaAdapter } from './lambda-adapter.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

/**
 * Synthetic traffic (docs/analysis.md § Synthetic traffic): one synchronous Invoke of a version by
 * its qualified name (`Qualifier` = the version), so Lambda counts it under `Resource`
 * `<function>:<version>` and never under the alias the real evidence is read from. An answer
 * carrying `X-Amz-Function-Error` (an unhandled error, a crash, the function's own timeout) is a
 * failure; so is no answer within `timeoutMs`: the call is aborted then.
 */
export class LambdaSyntheticInvoker extends LambdaAdapter implements SyntheticInvoker {
  async invoke(fn: string, version: string, event: unknown, timeoutMs: number): Promise<SyntheticAnswer> {
    const deadline = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // Raced as well as aborted: the answer is not waited for past the timeout, whatever the transport does with the abort.
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => {
        deadline.abort();
        resolve('expired');
      }, timeoutMs);
    });
    let out: InvokeCommandOutput | 'expired';
    try {
      out = await Promise.race([
        this.client.send(new InvokeCommand({ FunctionName: fn, Qualifier: version, Payload: Buffer.from(JSON.stringify(event)) }), {
          abortSignal: deadline.signal,
        }),
        expired,
      ]);
    } catch (error) {
      if (deadline.signal.aborted) out = 'expired';
      else {
        const name = errorName(error);
        // Throttled after the SDK's own retries: the invocation never ran, as Lambda counts it.
        if (name === 'TooManyRequestsException') return { outcome: 'throttled' };
        if (name === 'ResourceNotFoundException') {
          throw new MissingResourceError(`invoking ${fn}:${version} for synthetic traffic: ${(error as Error).message}`, { cause: error });
        }
        rethrowTransient(error, `invoking ${fn}:${version} for synthetic traffic`);
      }
    } finally {
      clearTimeout(timer);
    }
    if (out === 'expired') return { outcome: 'failed', why: `did not answer within ${timeoutMs} ms` };
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    let payload: unknown = text;
    try {
      payload = text ? JSON.parse(text) : null;
    } catch {
      // a plain-text answer is an answer; only `expect.statusCode` can find fault with it
    }
    if (out.FunctionError) {
      const message = (payload as { errorMessage?: unknown } | null)?.errorMessage;
      return { outcome: 'failed', why: `failed (${out.FunctionError}): ${typeof message === 'string' ? message : text.slice(0, 200)}` };
    }
    return { outcome: 'answered', payload };
  }
}
