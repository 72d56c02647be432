import type { LambdaHandler } from '../../dev/local-orchestrator.js';
import { fromApiGatewayResult, localApiContext, toApiGatewayEvent } from '../../dev/http-front.js';

export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

export type CallApi = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiAnswer>;

/** Invokes the API's Lambda handler (middy, router, problem mapping) with the event API Gateway would send. */
export const apiCaller =
  (handler: LambdaHandler): CallApi =>
  async (method, path, body, headers = {}) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const event = toApiGatewayEvent({
      method,
      url: path,
      headers: { 'content-type': 'application/json', ...headers },
      ...(text === undefined ? {} : { body: Buffer.from(text) }),
    });
    const answer = fromApiGatewayResult((await handler(event as never, localApiContext() as never)) as never);
    const raw = answer.body.toString('utf8');
    return {
      status: answer.statusCode,
      headers: Object.fromEntries(Object.entries(answer.headers).map(([k, v]) => [k, String(v)])),
      body: raw === '' ? undefined : JSON.parse(raw),
    };
  };
