/** Reading an HTTP API (payload v2) request: the body as JSON, path parameters, the caller. */
import type {
  APIGatewayEventRequestContextIAMAuthorizer,
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEventV2WithRequestContext,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { ValidationError } from '../domain/errors.js';
import { MalformedJsonError, RouteNotFoundError, UnsupportedMediaTypeError } from './errors.js';

/**
 * Every route but `POST /hooks/{hookId}` uses IAM auth, so API Gateway fills `authorizer.iam`; it is
 * optional here for the hook route and for a handler invoked any other way (it records no caller).
 */
export type ApiEvent = APIGatewayProxyEventV2WithRequestContext<
  APIGatewayEventRequestContextV2 & {
    authorizer?: Partial<APIGatewayEventRequestContextIAMAuthorizer> & { jwt?: { claims?: Record<string, unknown> } };
  }
>;

export type ApiResult = APIGatewayProxyStructuredResultV2;

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/**
 * The request body parsed as JSON; `undefined` when there is none. A body without a Content-Type
 * is read as JSON (scripts often forget the header); one with a non-JSON type is refused.
 */
export function readJsonBody(event: ApiEvent): unknown {
  if (event.body === undefined || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (text.trim() === '') return undefined;
  const contentType = event.headers?.['content-type'];
  if (contentType !== undefined && !JSON_MEDIA_TYPE.test(contentType)) throw new UnsupportedMediaTypeError(contentType);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MalformedJsonError(`the request body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Like readJsonBody, for routes that cannot do without one. */
export function requireJsonBody(event: ApiEvent, what: string): unknown {
  const body = readJsonBody(event);
  if (body === undefined) {
    throw new ValidationError(`the request has no body; send ${what} as JSON`, [{ path: '(root)', message: 'Required' }]);
  }
  return body;
}

/** A path parameter, URL-decoded. The router only matches paths that have it. */
export function pathParam(event: ApiEvent, name: string): string {
  const raw = event.pathParameters?.[name];
  if (raw === undefined) throw new RouteNotFoundError(event.requestContext.http.method, event.rawPath);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ValidationError(`path parameter ${name} is not valid URL encoding`, [{ path: name, message: 'invalid URL encoding' }]);
  }
}

/** Who asked, as IAM authenticated them (or the JWT authorizer, with apiAuth=jwt: `jwt:<sub>`). */
export function requestedBy(event: ApiEvent): string | undefined {
  const authorizer = event.requestContext.authorizer;
  if (authorizer?.iam?.userArn) return authorizer.iam.userArn;
  const subject = authorizer?.jwt?.claims?.sub;
  return typeof subject === 'string' && subject !== '' ? `jwt:${subject}` : undefined;
}

/**
 * The request as the router reads it: a route API Gateway matched under JWT_ROUTE_PREFIX (apiAuth
 * both, the dashboard's routes) is routed as the same route without it. Only API Gateway's own
 * routeKey decides, so a path that merely starts with the prefix is not rewritten.
 */
export function withoutJwtPrefix(event: ApiEvent, prefix: string): ApiEvent {
  const method = event.requestContext?.http?.method;
  if (!event.routeKey?.startsWith(`${method} ${prefix}/`) || !event.rawPath.startsWith(`${prefix}/`)) return event;
  const rawPath = event.rawPath.slice(prefix.length);
  return {
    ...event,
    rawPath,
    routeKey: event.routeKey.replace(` ${prefix}/`, ' /'),
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path: rawPath } },
  };
}
