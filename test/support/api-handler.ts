import { handler } from '../../functions/api.js';
import { fromApiGatewayResult, localApiContext, toApiGatewayEvent } from '../../shared/adapters/local/http-front.js';

export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** Invokes the API's Lambda handler (middy, router, problem mapping) with the event API Gateway would send. */
export async function callApi(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const event = toApiGatewayEvent({
    method,
    url: path,
    headers: { 'content-type': 'application/json' },
    ...(text === undefined ? {} : { body: Buffer.from(text) }),
  });
  const answer = fromApiGatewayResult(await handler(event, localApiContext()));
  const raw = answer.body.toString('utf8');
  return {
    status: answer.statusCode,
    headers: Object.fromEntries(Object.entries(answer.headers).map(([k, v]) => [k, String(v)])),
    body: raw === '' ? undefined : JSON.parse(raw),
  };
}
