/**
 * Canned Invoke answers per function. moto runs no Lambda code: its own stub answers every Invoke
 * from one queue per region (`/moto-api/static/lambda-simple/response`), so two test files running
 * at once would take each other's answers. This supplement keeps one queue per function name
 * instead: `POST /__emulator/lambda/answers` `{ "functionName": "…", "results": ["…"] }` queues
 * payloads, and each Invoke of that function (by name or ARN, any qualifier) is answered with the
 * next one, as Lambda answers a RequestResponse call. An Invoke of a function with nothing queued
 * goes to moto as before.
 */
import type { EmulatorAnswer, EmulatorRequest, Supplement, Upstream } from './front.js';

export const LAMBDA_ANSWERS_PATH = '/__emulator/lambda/answers';
const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** Lambda's limit on a synchronous response. */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

/** `name`, `name:qualifier` or `arn:aws:lambda:region:account:function:name[:qualifier]` → `name`. */
export function bareFunctionName(raw: string): string {
  const decoded = decodeURIComponent(raw);
  const arn = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(decoded);
  return arn ? (arn[1] as string) : (decoded.split(':')[0] as string);
}

function json(status: number, body: unknown): EmulatorAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

async function toMoto(request: EmulatorRequest, upstream: Upstream): Promise<EmulatorAnswer> {
  const headers = Object.fromEntries(Object.entries(request.headers).flatMap(([k, v]) => (v === undefined || k === 'host' ? [] : [[k, String(v)]])));
  const query = request.query.toString();
  const answer = await fetch(`${upstream.endpoint}${request.path}${query ? `?${query}` : ''}`, {
    method: request.method,
    headers,
    body: new Uint8Array(request.body),
  });
  return { status: answer.status, headers: Object.fromEntries(answer.headers), body: Buffer.from(await answer.arrayBuffer()) };
}

export function lambdaInvokeAnswers(): Supplement {
  const queues = new Map<string, string[]>();
  const queued = (name: string) => (queues.get(name)?.length ?? 0) > 0;
  return {
    name: 'canned Lambda Invoke answers per function',
    matches: ({ method, path }) => {
      if (method !== 'POST') return false;
      if (path === LAMBDA_ANSWERS_PATH) return true;
      const invoke = INVOKE.exec(path);
      return invoke !== null && queued(bareFunctionName(invoke[1] as string));
    },
    handle: async (request, upstream) => {
      if (request.path === LAMBDA_ANSWERS_PATH) {
        let parsed: { functionName?: unknown; results?: unknown };
        try {
          parsed = JSON.parse(request.body.toString('utf8')) as typeof parsed;
        } catch {
          return json(400, { message: 'the body must be JSON: { "functionName": "…", "results": ["…"] }' });
        }
        const { functionName, results } = parsed;
        if (typeof functionName !== 'string' || functionName === '' || !Array.isArray(results) || !results.every((r) => typeof r === 'string')) {
          return json(400, { message: 'give functionName (a string) and results (an array of strings, one payload per Invoke)' });
        }
        const name = bareFunctionName(functionName);
        queues.set(name, [...(queues.get(name) ?? []), ...(results as string[])]);
        return json(201, { functionName: name, queued: queues.get(name)?.length ?? 0 });
      }
      const name = bareFunctionName((INVOKE.exec(request.path) as RegExpExecArray)[1] as string);
      const payload = queues.get(name)?.shift();
      // Another Invoke took the last one between matching and now: moto answers, as it would have.
      if (payload === undefined) return toMoto(request, upstream);
      const type = request.headers['x-amz-invocation-type'];
      if (type === 'Event') return { status: 202, body: '' };
      if (type === 'DryRun') return { status: 204, body: '' };
      if (Buffer.byteLength(payload) > MAX_RESPONSE_BYTES) {
        return {
          status: 200,
          headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' },
          body: JSON.stringify({
            errorMessage: `Response payload size (${Buffer.byteLength(payload)} bytes) exceeded maximum allowed payload size (6291556 bytes).`,
            errorType: 'Function.ResponseSizeTooLarge',
          }),
        };
      }
      return { status: 200, headers: { 'content-type': 'application/json' }, body: payload };
    },
  };
}
