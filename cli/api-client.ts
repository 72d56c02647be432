import type { z } from 'zod';
import type { DeploymentStatus, DeploymentView, Trigger } from '../shared/domain/deployment.js';
import {
  deliveryMetricsSchema,
  summarySchema,
  deployHookCreatedSchema,
  deployHookListSchema,
  deploymentListSchema,
  deploymentTimelineSchema,
  deploymentViewSchema,
  releaseUploadResponseSchema,
  pipelineViewSchema,
  suggestionsViewSchema,
  targetAppliedSchema,
  targetDeploymentsSchema,
  windowViewSchema,
  type ApprovalRequest,
  type CancelRequest,
  type DeployRequest,
  type DeployHookCreated,
  type DeployHookCreateRequest,
  type DeployHookView,
  type DeliveryMetricsView,
  type DeploymentPage,
  type Summary,
  type DeploymentTimeline,
  type PipelineView,
  type PromoteRequest,
  type PromotionRequest,
  type ReleaseUpload,
  type ReleaseUploadRequest,
  type RollbackRequest,
  type TargetApplied,
  type WindowSuggestions,
  type WindowView,
} from '../shared/http/contract.js';
import type { ApiEndpoint } from './config.js';
import { CliError } from './errors.js';
import { formatProblem, type Problem } from './output.js';
import { createRequestSigner, regionFromApiUrl, type CredentialProvider, type UnsignedRequest } from './sigv4.js';

/** A target as the API stores it; the CLI only reads a few fields and prints the rest. */
export type StoredTarget = Record<string, unknown> & { name: string; kind: string };

/**
 * The API said no. 4xx means the request was wrong (exit 2), except 409 (the request is fine but
 * the current state refuses it, e.g. nothing to roll back to) and 429; 5xx is exit 1.
 */
export class ApiProblemError extends CliError {
  constructor(readonly problem: Problem & { status: number }) {
    const usage = problem.status >= 400 && problem.status < 500 && problem.status !== 409 && problem.status !== 429;
    super(formatProblem(problem), usage ? 2 : 1);
  }
}

/**
 * The API has no such route: it predates the feature (a `slipway dev` or a deployed stack from
 * before it). The router answers `route-not-found` (404) or `method-not-allowed` (405, the path
 * exists with other methods); API Gateway itself answers 404 `{ "message": "Not Found" }`.
 * Commands with an older way to do the same catch this and use it.
 */
export class RouteMissingError extends CliError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly apiUrl: string,
  ) {
    super(
      `the slipway API at ${apiUrl} has no route ${method} ${path}: it is older than this CLI. ` +
        'Update it (`serverless deploy`, or restart `npm start` on a current checkout)',
      1,
    );
  }
}

function isRouteMissing(problem: Problem & { status: number }, raw: Record<string, unknown> | undefined): boolean {
  if (problem.status === 405) return true;
  if (problem.status !== 404) return false;
  if (problem.type?.endsWith('/route-not-found')) return true;
  return problem.type === undefined && raw?.message === 'Not Found';
}

export class ApiUnreachableError extends CliError {
  constructor(
    readonly url: string,
    source: string,
    cause: unknown,
    request?: string,
  ) {
    const why = describeNetworkError(cause);
    const hint =
      source === 'SLIPWAY_API_URL'
        ? 'check SLIPWAY_API_URL (unset it to use the local `slipway dev`)'
        : `is \`slipway dev\` running? Start it with \`npm start\` in the project root (the URL comes from ${source}, which stays behind when dev mode stops)`;
    super(`cannot reach the slipway API at ${url}: ${why}${request ? ` (${request})` : ''}; ${hint}`, 1, { cause });
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  if ((error as Error)?.name === 'TimeoutError') return 'no answer in time';
  return (error as Error)?.message ?? String(error);
}

/**
 * The answer of each route the CLI reads, checked with the schema the API checks it with before it
 * leaves (shared/http/contract.ts), so an API answering something else fails here with a clear
 * message instead of a TypeError halfway through printing, or a 403 from S3. `is` completes
 * "the API's answer to … is not …".
 */
export const ANSWERS = {
  'PUT /targets/{name}': { schema: targetAppliedSchema, is: 'an applied target' },
  'GET /targets/{name}/deployments': { schema: targetDeploymentsSchema, is: 'a list of deployments' },
  'GET /deployments/{id}': { schema: deploymentViewSchema, is: 'a deployment' },
  'POST /targets/{name}/rollback': { schema: deploymentViewSchema, is: 'a deployment' },
  'POST /deployments/{id}/cancel': { schema: deploymentViewSchema, is: 'a deployment' },
  'POST /deployments/{id}/promote': { schema: deploymentViewSchema, is: 'a deployment' },
  'POST /deployments': { schema: deploymentViewSchema, is: 'a deployment' },
  'POST /targets/{name}/promotions': { schema: deploymentViewSchema, is: 'a deployment' },
  'POST /deployments/{id}/approve': { schema: deploymentViewSchema, is: 'a deployment' },
  'POST /deployments/{id}/reject': { schema: deploymentViewSchema, is: 'a deployment' },
  'GET /deployments': { schema: deploymentListSchema, is: 'a page of deployments' },
  'GET /deployments/{id}/events': { schema: deploymentTimelineSchema, is: 'a deployment timeline' },
  'POST /targets/{name}/releases': { schema: releaseUploadResponseSchema, is: 'an upload URL' },
  'POST /targets/{name}/hooks': { schema: deployHookCreatedSchema, is: 'a created deploy hook' },
  'GET /targets/{name}/hooks': { schema: deployHookListSchema, is: 'a list of deploy hooks' },
  'GET /targets/{name}/window': { schema: windowViewSchema, is: 'a deploy window' },
  'GET /targets/{name}/window/suggestions': { schema: suggestionsViewSchema, is: 'window suggestions' },
  'GET /targets/{name}/pipeline': { schema: pipelineViewSchema, is: 'a pipeline' },
  'GET /summary': { schema: summarySchema, is: 'a summary of the targets' },
  'GET /metrics': { schema: deliveryMetricsSchema, is: 'delivery metrics' },
} as const satisfies Record<string, { schema: z.ZodTypeAny; is: string }>;

export type AnsweredRoute = keyof typeof ANSWERS;
type Answer<R extends AnsweredRoute> = z.infer<(typeof ANSWERS)[R]['schema']>;

export interface SuggestionQuery {
  durationMinutes: number;
  days: number;
  count: number;
  timezone?: string;
}

export interface DeploymentQuery {
  target?: string;
  status?: DeploymentStatus;
  trigger?: Trigger;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export type Signer = (request: UnsignedRequest) => Promise<Record<string, string>>;

export interface ApiClientOptions {
  endpoint: ApiEndpoint;
  fetch?: typeof fetch;
  /** Adds SigV4 headers; required when `endpoint.sign` is set. */
  signer?: Signer;
  timeoutMs?: number;
}

interface RequestOptions {
  query?: Record<string, string>;
  body?: unknown;
  /** Statuses that resolve to ABSENT (and the public methods to `undefined`) instead of throwing. */
  absentOn?: number[];
}

export class ApiClient {
  readonly #endpoint: ApiEndpoint;
  readonly #fetch: typeof fetch;
  readonly #signer: Signer | undefined;
  readonly #timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.#endpoint = options.endpoint;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#signer = options.signer;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * `PUT /targets/{name}` (`?dryRun=true`: nothing stored or started). An API from before
   * configuration deployments answers the bare target, without a word on the configuration.
   */
  async putTarget(name: string, target: unknown, options: { dryRun?: boolean } = {}): Promise<TargetApplied> {
    const path = `/targets/${encodeURIComponent(name)}`;
    if (options.dryRun) await this.#requireDryRun();
    const body = await this.#required<unknown>('PUT', path, { body: target, ...(options.dryRun ? { query: { dryRun: 'true' } } : {}) });
    if (body && typeof body === 'object' && !('target' in body) && 'kind' in body) {
      if (options.dryRun) throw new CliError(`the slipway API at ${this.#endpoint.url} answered a dry run with a bare target: it applied it`, 1);
      const why = 'the API is older than this CLI and does not say what became of the configuration';
      return { target: body as TargetApplied['target'], dryRun: false, configurationChanges: [], deploys: false, release: null, deployment: null, why };
    }
    return this.#checked('PUT /targets/{name}', path, body);
  }

  /**
   * An API older than `?dryRun=true` ignores the parameter and applies the target: its OpenAPI
   * document is asked first, so a preview never changes anything.
   */
  async #requireDryRun(): Promise<void> {
    const older = new CliError(
      `the slipway API at ${this.#endpoint.url} is older than this CLI and has no dry run for PUT /targets/{name}; nothing was sent. ` +
        'Update it (`serverless deploy`, or restart `npm start` on a current checkout) to preview changes',
      1,
    );
    let document: unknown;
    try {
      document = await this.#required<unknown>('GET', '/openapi.json');
    } catch (error) {
      if (error instanceof RouteMissingError) throw older;
      throw error;
    }
    const put = (document as { paths?: Record<string, { put?: { parameters?: { name?: string }[] } }> })?.paths?.['/targets/{name}']?.put;
    if (!put?.parameters?.some((p) => p.name === 'dryRun')) throw older;
  }

  async listTargets(): Promise<StoredTarget[]> {
    const body = await this.#required<StoredTarget[] | { targets: StoredTarget[] }>('GET', '/targets');
    return Array.isArray(body) ? body : body.targets;
  }

  getTarget(name: string): Promise<StoredTarget> {
    return this.#required('GET', `/targets/${encodeURIComponent(name)}`);
  }

  /** `undefined` while the deployment does not exist (yet: intake records it shortly after the upload). */
  getDeployment(id: string): Promise<DeploymentView | undefined> {
    return this.#answerOrAbsent('GET /deployments/{id}', `/deployments/${encodeURIComponent(id)}`, { absentOn: [404] });
  }

  async listDeployments(target: string, limit?: number): Promise<DeploymentView[]> {
    const body = await this.#answer('GET /targets/{name}/deployments', `/targets/${encodeURIComponent(target)}/deployments`, {
      ...(limit !== undefined ? { query: { limit: String(limit) } } : {}),
    });
    return body.deployments;
  }

  rollback(target: string, release?: string): Promise<DeploymentView> {
    const body: RollbackRequest = release !== undefined ? { release } : {};
    return this.#answer('POST /targets/{name}/rollback', `/targets/${encodeURIComponent(target)}/rollback`, { body });
  }

  /** `DELETE /targets/{name}` (204); 409 while a deployment of it is active. */
  async deleteTarget(name: string): Promise<void> {
    await this.#request('DELETE', `/targets/${encodeURIComponent(name)}`);
  }

  /**
   * `POST /targets/{name}/releases`: a presigned PUT URL bound to the release's size and sha256.
   * With `notBefore` (a scheduled deploy) the URL also binds `x-amz-meta-slipway-not-before`, which
   * comes back among the headers to send.
   */
  createRelease(target: string, release: ReleaseUploadRequest): Promise<ReleaseUpload> {
    return this.#answer('POST /targets/{name}/releases', `/targets/${encodeURIComponent(target)}/releases`, { body: release });
  }

  /** `GET /targets/{name}/window`: the next openings, the freezes not yet over and the deployments waiting. */
  getWindow(target: string, count?: number): Promise<WindowView> {
    return this.#answer('GET /targets/{name}/window', `/targets/${encodeURIComponent(target)}/window`, {
      ...(count !== undefined ? { query: { count: String(count) } } : {}),
    });
  }

  /** `GET /targets/{name}/window/suggestions`: the hour-of-week traffic profile and the quietest windows. */
  windowSuggestions(target: string, query: SuggestionQuery): Promise<WindowSuggestions> {
    const params: Record<string, string> = { durationMinutes: String(query.durationMinutes), days: String(query.days), count: String(query.count) };
    if (query.timezone !== undefined) params.timezone = query.timezone;
    return this.#answer('GET /targets/{name}/window/suggestions', `/targets/${encodeURIComponent(target)}/window/suggestions`, { query: params });
  }

  /** `GET /targets/{name}/pipeline`: the chain of environments the target belongs to. */
  getPipeline(target: string): Promise<PipelineView> {
    return this.#answer('GET /targets/{name}/pipeline', `/targets/${encodeURIComponent(target)}/pipeline`, {});
  }

  /** `GET /summary`: every target at a glance. RouteMissingError from an API older than it. */
  getSummary(): Promise<Summary> {
    return this.#answer('GET /summary', '/summary', {});
  }

  /** `GET /metrics`: delivery metrics of a period, overall and per target. */
  getMetrics(query: { target?: string; since?: string; until?: string } = {}): Promise<DeliveryMetricsView> {
    const params: Record<string, string> = {};
    if (query.target !== undefined) params.target = query.target;
    if (query.since !== undefined) params.since = query.since;
    if (query.until !== undefined) params.until = query.until;
    return this.#answer('GET /metrics', '/metrics', { query: params });
  }

  createHook(target: string, hook: DeployHookCreateRequest): Promise<DeployHookCreated> {
    return this.#answer('POST /targets/{name}/hooks', `/targets/${encodeURIComponent(target)}/hooks`, { body: hook });
  }

  async listHooks(target: string): Promise<DeployHookView[]> {
    return (await this.#answer('GET /targets/{name}/hooks', `/targets/${encodeURIComponent(target)}/hooks`)).hooks;
  }

  async revokeHook(target: string, hookId: string): Promise<void> {
    await this.#request('DELETE', `/targets/${encodeURIComponent(target)}/hooks/${encodeURIComponent(hookId)}`);
  }

  cancelDeployment(id: string, reason?: string): Promise<DeploymentView> {
    const body: CancelRequest = reason !== undefined ? { reason } : {};
    return this.#answer('POST /deployments/{id}/cancel', `/deployments/${encodeURIComponent(id)}/cancel`, { body });
  }

  promoteDeployment(id: string, reason: string): Promise<DeploymentView> {
    const body: PromoteRequest = { reason };
    return this.#answer('POST /deployments/{id}/promote', `/deployments/${encodeURIComponent(id)}/promote`, { body });
  }

  /** `POST /deployments`: deploy a release already in the artifact bucket (`force` + `reason`: past a promotion gate). */
  createDeployment(request: DeployRequest): Promise<DeploymentView> {
    return this.#answer('POST /deployments', '/deployments', { body: request });
  }

  /** `POST /targets/{name}/promotions`: the named release of the upstream, or its newest eligible one. */
  promoteRelease(target: string, release?: string): Promise<DeploymentView> {
    const body: PromotionRequest = release !== undefined ? { release } : {};
    return this.#answer('POST /targets/{name}/promotions', `/targets/${encodeURIComponent(target)}/promotions`, { body });
  }

  approveDeployment(id: string, reason: string): Promise<DeploymentView> {
    const body: ApprovalRequest = { reason };
    return this.#answer('POST /deployments/{id}/approve', `/deployments/${encodeURIComponent(id)}/approve`, { body });
  }

  rejectDeployment(id: string, reason: string): Promise<DeploymentView> {
    const body: ApprovalRequest = { reason };
    return this.#answer('POST /deployments/{id}/reject', `/deployments/${encodeURIComponent(id)}/reject`, { body });
  }

  /** `GET /deployments?target=&status=&trigger=&since=&until=&limit=&cursor=`: one page, newest first. */
  queryDeployments(query: DeploymentQuery): Promise<DeploymentPage> {
    const params: Record<string, string> = {};
    if (query.target !== undefined) params.target = query.target;
    if (query.status !== undefined) params.status = query.status;
    if (query.trigger !== undefined) params.trigger = query.trigger;
    if (query.since !== undefined) params.since = query.since;
    if (query.until !== undefined) params.until = query.until;
    if (query.limit !== undefined) params.limit = String(query.limit);
    if (query.cursor !== undefined) params.cursor = query.cursor;
    return this.#answer('GET /deployments', '/deployments', { query: params });
  }

  /** `GET /deployments/{id}/events`: the timeline; `undefined` when there is no such deployment (yet). */
  deploymentEvents(id: string): Promise<DeploymentTimeline | undefined> {
    return this.#answerOrAbsent('GET /deployments/{id}/events', `/deployments/${encodeURIComponent(id)}/events`, { absentOn: [404] });
  }

  /** Calls `route` at `path` (the route with its parameters filled in) and checks the answer against the contract. */
  async #answer<R extends AnsweredRoute>(route: R, path: string, options: RequestOptions = {}): Promise<Answer<R>> {
    return (await this.#answerOrAbsent(route, path, options)) as Answer<R>;
  }

  async #answerOrAbsent<R extends AnsweredRoute>(route: R, path: string, options: RequestOptions = {}): Promise<Answer<R> | undefined> {
    const method = route.slice(0, route.indexOf(' '));
    const body = await this.#request<unknown>(method, path, options);
    if (body === ABSENT) return undefined;
    return this.#checked(route, path, body);
  }

  /** The answer `body` of `route` at `path`, checked against the contract. */
  #checked<R extends AnsweredRoute>(route: R, path: string, body: unknown): Answer<R> {
    const method = route.slice(0, route.indexOf(' '));
    const { schema, is } = ANSWERS[route];
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new CliError(`the API's answer to ${method} ${decodeURIComponent(path)} is not ${is} (${issues})`, 1);
    }
    return parsed.data as Answer<R>;
  }

  async #required<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.#request(method, path, options)) as T;
  }

  /** The parsed JSON body (`undefined` when empty), or ABSENT on a status of `absentOn`. */
  async #request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T | typeof ABSENT> {
    const url = new URL(this.#endpoint.url);
    // The base URL may carry a stage path (…/prod); routes are appended to it.
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    let headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#endpoint.sign) {
      if (!this.#signer) throw new Error('a signed endpoint needs a signer');
      headers = await this.#signer({ method, url, headers, ...(body !== undefined ? { body } : {}) });
    }

    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new ApiUnreachableError(this.#endpoint.url, this.#endpoint.source, error, `${method} ${url.pathname}`);
    }
    const text = await response.text();
    if (response.ok) return (text ? jsonOf(text, `${method} ${url.pathname}`) : undefined) as T;
    const { problem, raw } = problemFrom(response.status, text, `${method} ${url.pathname}`);
    if (isRouteMissing(problem, raw)) throw new RouteMissingError(method, path, this.#endpoint.url);
    if (options.absentOn?.includes(response.status)) return ABSENT;
    throw new ApiProblemError(problem);
  }
}

/** What `#request` answers for a status the caller takes as "no such thing" (`absentOn`). */
const ABSENT = Symbol('absent');

function jsonOf(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`the API's answer to ${what} is not JSON (${text.trim().slice(0, 100)}); is the API URL the slipway API?`, 1, { cause: error });
  }
}

/** problem+json when the API sent one; API Gateway's own errors are `{ "message": … }`. */
function problemFrom(status: number, text: string, what: string): { problem: Problem & { status: number }; raw?: Record<string, unknown> } {
  let parsed: Record<string, unknown> | undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object') parsed = value as Record<string, unknown>;
  } catch {
    // not JSON: fall through to the raw text
  }
  const problem = (parsed ?? {}) as Problem;
  const detail =
    problem.detail ??
    (typeof parsed?.message === 'string' ? parsed.message : undefined) ??
    problem.title ??
    (text.trim().slice(0, 500) || `${what} answered HTTP ${status}`);
  return { problem: { ...problem, status, detail }, ...(parsed ? { raw: parsed } : {}) };
}

/**
 * The client for the configured API. Requests to a deployed API are signed with the credentials of
 * the standard chain (env, profile, SSO, instance role…), for the region in the API URL.
 */
export async function createApiClient(
  endpoint: ApiEndpoint,
  options: { env: NodeJS.ProcessEnv; fetch?: typeof fetch; credentials?: CredentialProvider },
): Promise<ApiClient> {
  if (!endpoint.sign) return new ApiClient({ endpoint, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const region = regionFromApiUrl(new URL(endpoint.url)) ?? options.env.AWS_REGION ?? options.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new CliError(`cannot tell the AWS region of ${endpoint.url} to sign requests; set AWS_REGION`, 2);
  }
  const provider = options.credentials ?? (await import('@aws-sdk/credential-providers')).fromNodeProviderChain();
  const credentials: CredentialProvider = async () => {
    try {
      return await provider();
    } catch (error) {
      throw new CliError(
        `no AWS credentials to sign requests to ${endpoint.url} (${(error as Error).message}); configure them as for the AWS CLI (AWS_PROFILE, aws sso login, …)`,
        1,
        { cause: error },
      );
    }
  };
  return new ApiClient({
    endpoint,
    signer: createRequestSigner({ region, credentials }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
