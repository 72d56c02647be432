/**
 * The HTTPS API on a laptop: a node:http server standing in for API Gateway (HTTP API, payload
 * format 2.0, IAM auth) in front of the very handler Lambda runs. Each request becomes the event
 * API Gateway would send, with a fixed local IAM caller, and the handler's result goes back as
 * API Gateway would write it. Used by `slipway dev` and the API tests.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, Context } from 'aws-lambda';
import { PayloadTooLargeError } from '../shared/http/errors.js';
import { problemResponse } from '../shared/http/problems.js';
import { LOCAL_ACCOUNT } from './definition.js';
import { localLambdaContext } from './lambda-context.js';

/** Stands in for the IAM principal API Gateway would have authenticated. */
export const LOCAL_DEVELOPER_ARN = 'arn:aws:iam::123456789012:user/local-developer';
/** API Gateway HTTP APIs cap payloads at 10 MB; the slipway API only ever takes small JSON. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export type HttpApiHandler = (event: APIGatewayProxyEventV2WithIAMAuthorizer, context: Context) => Promise<unknown>;

export interface HttpFrontOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  handler: HttpApiHandler;
  maxBodyBytes?: number;
}

export interface HttpFront {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:4567`. */
  url: string;
  close(): Promise<void>;
}

export interface HttpRequestParts {
  method: string;
  /** Path and query string as sent, e.g. `/targets/hello/deployments?limit=5`. */
  url: string;
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>;
  body?: Buffer;
  sourceIp?: string;
}

/** Content types API Gateway passes through as text; everything else arrives base64-encoded. */
const TEXT_CONTENT_TYPE = /^(text\/|application\/([\w.+-]+\+)?(json|xml|javascript|x-www-form-urlencoded))/i;

/** The event API Gateway (HTTP API, payload 2.0, `$default` route, IAM auth) would send for a request. */
export function toApiGatewayEvent(request: HttpRequestParts): APIGatewayProxyEventV2WithIAMAuthorizer {
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt < 0 ? request.url : request.url.slice(0, queryAt);
  const rawQueryString = queryAt < 0 ? '' : request.url.slice(queryAt + 1);

  // Payload 2.0 joins repeated headers and query parameters with commas and moves cookies out.
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const joined = Array.isArray(value) ? value.join(',') : value;
    if (name.toLowerCase() === 'cookie')
      cookies = joined
        .split(';')
        .map((c) => c.trim())
        .filter(Boolean);
    else headers[name.toLowerCase()] = joined;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    query[key] = key in query ? `${query[key]},${value}` : value;
  }

  const bytes = request.body ?? Buffer.alloc(0);
  const text = TEXT_CONTENT_TYPE.test(headers['content-type'] ?? '');
  const now = new Date();
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      authorizer: {
        iam: {
          accessKey: 'ASIALOCALDEVELOPER00',
          accountId: LOCAL_ACCOUNT,
          callerId: 'AIDALOCALDEVELOPER00',
          cognitoIdentity: null,
          principalOrgId: '',
          userArn: LOCAL_DEVELOPER_ARN,
          userId: 'AIDALOCALDEVELOPER00',
        },
      },
    },
    ...(bytes.length > 0 ? { body: text ? bytes.toString('utf8') : bytes.toString('base64') } : {}),
    isBase64Encoded: bytes.length > 0 && !text,
  };
}

interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** How API Gateway reads a payload 2.0 result, including the shorthand forms. */
export function fromApiGatewayResult(result: unknown): HttpAnswer {
  const isStructured = typeof result === 'object' && result !== null && 'statusCode' in result;
  if (!isStructured) {
    // A string or an object without statusCode is the JSON body of a 200.
    const body = result === undefined || result === null ? '' : typeof result === 'string' ? result : JSON.stringify(result);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const structured = result as { statusCode?: number; headers?: Record<string, unknown>; body?: string; isBase64Encoded?: boolean; cookies?: string[] };
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body = structured.body ?? '';
  return {
    statusCode: structured.statusCode ?? 200,
    headers,
    body: structured.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body),
  };
}

/** A Lambda context for invoking the API handler outside Lambda (30 s, like the API's timeout). */
export function localApiContext(): Context {
  return localLambdaContext('api', 30_000);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        return reject(new BodyTooLarge());
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function send(res: ServerResponse, answer: HttpAnswer, extraHeaders: Record<string, string> = {}): void {
  res.writeHead(answer.statusCode, { ...answer.headers, ...extraHeaders, 'content-length': String(answer.body.length) });
  res.end(answer.body);
}

async function serve(req: IncomingMessage, res: ServerResponse, options: HttpFrontOptions): Promise<void> {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let body: Buffer;
  try {
    body = await readBody(req, limit);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    // Keep reading into the void so the client gets to see the 413 instead of a reset connection.
    req.resume();
    send(res, fromApiGatewayResult(problemResponse(new PayloadTooLargeError(limit))), { connection: 'close' });
    return;
  }
  const event = toApiGatewayEvent({
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headers,
    body,
    ...(req.socket.remoteAddress ? { sourceIp: req.socket.remoteAddress } : {}),
  });
  let result: unknown;
  try {
    result = await options.handler(event, localApiContext());
  } catch (error) {
    // API Gateway answers 500 when the function itself fails; say so without the internals.
    console.error('slipway api: the handler failed', error);
    result = problemResponse(error);
  }
  send(res, fromApiGatewayResult(result));
}

/** Starts the local API front; resolves once it listens. */
export function startHttpFront(options: HttpFrontOptions): Promise<HttpFront> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    serve(req, res, options).catch((error: unknown) => {
      console.error('slipway api: could not answer a request', error);
      if (!res.headersSent) send(res, fromApiGatewayResult(problemResponse(error)));
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const hostInUrl = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${hostInUrl}:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            // Keep-alive connections would hold close() open until they time out.
            server.closeAllConnections();
          }),
      });
    });
  });
}
