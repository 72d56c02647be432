/**
 * Calling the HTTPS API in tests: through the Lambda handler with the event API Gateway would send,
 * or as real HTTP requests to a local front.
 */
import type { Context } from 'aws-lambda';
import { fromApiGatewayResult, localApiContext, toApiGatewayEvent } from '../../dev/http-front.js';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

export interface CallOptions {
  /** A string is sent as is (to send broken JSON); anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Leave out the IAM caller, as API Gateway does on a route without IAM auth. */
  anonymous?: boolean;
}

export type Call = (method: string, path: string, options?: CallOptions) => Promise<Answer>;

function bodyText(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function parsed(text: string): unknown {
  return text === '' ? undefined : JSON.parse(text);
}

export function viaHandler(handler: (event: never, context: Context) => Promise<unknown>): Call {
  return async (method, path, options = {}) => {
    const text = bodyText(options.body);
    const event = toApiGatewayEvent({
      method,
      url: path,
      headers: { ...(text === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      ...(text === undefined ? {} : { body: Buffer.from(text) }),
    });
    if (options.anonymous) delete (event.requestContext as { authorizer?: unknown }).authorizer;
    const answer = fromApiGatewayResult(await handler(event as never, localApiContext()));
    return {
      status: answer.statusCode,
      headers: Object.fromEntries(Object.entries(answer.headers).map(([k, v]) => [k, String(v)])),
      body: parsed(answer.body.toString('utf8')),
    };
  };
}

export function viaHttp(baseUrl: () => string): Call {
  return async (method, path, options = {}) => {
    const text = bodyText(options.body);
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: { ...(text === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      ...(text === undefined ? {} : { body: text }),
    });
    return { status: response.status, headers: Object.fromEntries(response.headers), body: parsed(await response.text()) };
  };
}
