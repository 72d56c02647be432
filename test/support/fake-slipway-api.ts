/**
 * A stand-in for the slipway HTTPS API on a loopback port, answering per the API contract
 * (issue 4): the CLI talks to it over real HTTP. Routes not registered answer like the API's own
 * router does: 405 with Allow when the path is known with other methods, else 404
 * `route-not-found` — exactly what an API that predates a route answers.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeploymentView } from '../../shared/domain/deployment.js';
import { buildProfile, suggestWindows, type Datapoint } from '../../shared/domain/traffic-profile.js';
import { compileWindow, upcomingOpenings, type DeployWindow } from '../../shared/domain/window.js';
import { ROUTES, type OperationId } from '../../shared/http/routes.js';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body parsed as JSON, when it is. */
  json?: unknown;
  /** `{name}` segments of the matched route. */
  params: Record<string, string>;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type FakeHandler = (request: FakeRequest) => FakeAnswer | Promise<FakeAnswer>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: FakeHandler;
}

export interface FakeSlipwayApi {
  url: string;
  requests: FakeRequest[];
  /** Registers (or, registered again, replaces) a route; `path` may have `{param}` segments. */
  on(method: string, path: string, handler: FakeHandler | FakeAnswer): FakeSlipwayApi;
  /** Registers a route of the API's table (shared/http/routes.ts) by its operationId. */
  on(operationId: OperationId, handler: FakeHandler | FakeAnswer): FakeSlipwayApi;
  /** `METHOD /path` of each request, in order. */
  calls(): string[];
  close(): Promise<void>;
}

const PROBLEM = 'https://slipway.dev/problems/';

export function problem(status: number, kind: string, detail: string, errors?: { path: string; message: string }[]): FakeAnswer {
  const titles: Record<string, string> = {
    validation: 'The request is invalid',
    'not-found': 'Not found',
    conflict: 'The request conflicts with the current state',
  };
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: { type: `${PROBLEM}${kind}`, title: titles[kind] ?? kind, status, detail, ...(errors ? { errors } : {}) },
  };
}

function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), names };
}

/**
 * The paths of the API's route table (shared/http/routes.ts) with the methods it routes there: an
 * unregistered route answers 405 where the path has other methods, like an API without just that route.
 */
const TABLE_PATHS = ROUTES.map((route) => ({ method: route.method as string, pattern: compile(route.path).pattern }));

function byOperationId(operationId: OperationId): [string, string] {
  const route = ROUTES.find((r) => r.operationId === operationId)!;
  return [route.method, route.path];
}

export async function startFakeSlipwayApi(): Promise<FakeSlipwayApi> {
  const routes: Route[] = [];
  const requests: FakeRequest[] = [];

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    let json: unknown;
    if (body.length > 0 && /json/.test(req.headers['content-type'] ?? '')) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        json = undefined;
      }
    }
    let answer: FakeAnswer;
    const matching = routes.filter((r) => r.pattern.test(url.pathname));
    const route = matching.find((r) => r.method === method);
    const params: Record<string, string> = {};
    if (route) {
      const match = route.pattern.exec(url.pathname)!;
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(match[i + 1]!);
      });
    }
    const request: FakeRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      ...(json !== undefined ? { json } : {}),
      params,
    };
    requests.push(request);
    if (route) {
      answer = await route.handler(request);
    } else if (matching.length > 0 || TABLE_PATHS.some((p) => p.method !== method && p.pattern.test(url.pathname))) {
      answer = { ...problem(405, 'method-not-allowed', `${url.pathname} does not accept ${method}`), status: 405 };
    } else {
      answer = problem(404, 'route-not-found', `there is no route ${method} ${url.pathname}`);
    }
    const isJson = answer.body !== undefined && !Buffer.isBuffer(answer.body) && typeof answer.body !== 'string';
    res.writeHead(answer.status, { ...(isJson ? { 'content-type': 'application/json' } : {}), ...answer.headers });
    res.end(answer.body === undefined ? undefined : isJson ? JSON.stringify(answer.body) : (answer.body as string | Buffer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const api: FakeSlipwayApi = {
    url: `http://127.0.0.1:${port}`,
    requests,
    on(...args: [string, string, FakeHandler | FakeAnswer] | [OperationId, FakeHandler | FakeAnswer]) {
      const [method, path, handler] = args.length === 3 ? args : [...byOperationId(args[0]), args[1]];
      const { pattern, names } = compile(path);
      const existing = routes.findIndex((r) => r.method === method && r.pattern.source === pattern.source);
      const route = { method, pattern, names, handler: typeof handler === 'function' ? handler : () => handler };
      if (existing >= 0) routes[existing] = route;
      else routes.push(route);
      return api;
    },
    calls: () => requests.map((r) => `${r.method} ${r.path}`),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return api;
}

/** Answers each call with the next answer; the last one repeats. */
export function inTurn(...answers: FakeAnswer[]): FakeHandler {
  let i = 0;
  return () => answers[Math.min(i++, answers.length - 1)]!;
}

/**
 * The answer of `POST /targets/{name}/releases` per the contract: an upload URL on the fake server
 * (`/s3/<bucket>/<key>`) and the headers it binds; a `notBefore` in the request comes back as
 * `x-amz-meta-slipway-not-before`, which the client must send with the PUT.
 */
export function releaseGrant(apiUrl: string, request: FakeRequest, bucket = 'slipway-artifacts'): FakeAnswer {
  const body = request.json as { release: string; sha256: string; size: number; notBefore?: string };
  const key = `releases/${request.params.name}/${body.release}.zip`;
  return {
    status: 201,
    body: {
      target: request.params.name,
      release: body.release,
      bucket,
      key,
      url: `${apiUrl}/s3/${bucket}/${key}?X-Amz-Signature=abc`,
      method: 'PUT',
      headers: {
        'content-type': 'application/zip',
        'content-length': String(body.size),
        'x-amz-checksum-sha256': Buffer.from(body.sha256, 'hex').toString('base64'),
        'x-amz-meta-sha256': body.sha256,
        ...(body.notBefore !== undefined ? { 'x-amz-meta-slipway-not-before': body.notBefore } : {}),
      },
      expiresAt: '2026-11-26T21:30:00.000Z',
    },
  };
}

/**
 * The answer of `GET /targets/{name}/window?count=N` per the contract, computed with the window
 * functions the API uses: the next openings of `window` after `now`, the freezes not yet over as
 * instants, and the deployments waiting. No window: `timezone` null, nothing to open.
 */
export function windowAnswer(target: string, window: DeployWindow | undefined, options: { now: Date; count?: number; waiting?: DeploymentView[] }): FakeAnswer {
  const waiting = options.waiting ?? [];
  if (!window) return { status: 200, body: { target, timezone: null, now: options.now.toISOString(), openings: [], deny: [], waiting } };
  const compiled = compileWindow(window);
  const openings = upcomingOpenings(window, options.now, options.count ?? 5).map((o) => ({
    at: o.at.toISOString(),
    closesAt: o.closesAt.toISOString(),
    allow: window.allow[o.allowIndex]!,
  }));
  const deny = compiled.deny.filter((d) => d.to > options.now).map((d) => ({ from: d.from.toISOString(), to: d.to.toISOString(), reason: d.reason }));
  return { status: 200, body: { target, timezone: window.timezone, now: options.now.toISOString(), openings, deny, waiting } };
}

/**
 * The answer of `GET /targets/{name}/window/suggestions` per the contract, from hourly datapoints
 * through the same profile and suggestion functions the API uses.
 */
export function suggestionsAnswer(
  target: string,
  datapoints: Datapoint[],
  options: { timezone: string; durationMinutes: number; days: number; count: number },
): FakeAnswer {
  const profile = buildProfile(datapoints, options.timezone);
  return {
    status: 200,
    body: {
      target,
      timezone: options.timezone,
      days: options.days,
      samples: profile.samples,
      profile: profile.hours.map((v) => v ?? null),
      suggestions: suggestWindows(profile, options.durationMinutes, options.count),
    },
  };
}
