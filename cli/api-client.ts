import type { DeploymentStatus, DeploymentView, TimelineEntry } from '../shared/domain/deployment.js';
import type { ApiEndpoint } from './config.js';
import { CliError } from './errors.js';
import { formatProblem, type Problem } from './output.js';
import { presignedReleaseSchema, type PresignedRelease } from './presigned-upload.js';
import { createRequestSigner, regionFromApiUrl, type CredentialProvider, type UnsignedRequest } from './sigv4.js';
import { windowSuggestionsSchema, windowViewSchema, type SuggestionQuery, type WindowSuggestions, type WindowView } from './window-api.js';

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

/** A hook as listed; the secret is only in the answer that created it. */
export interface DeployHook {
  id: string;
  target: string;
  name: string;
  release: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface CreatedHook extends Omit<DeployHook, 'lastUsedAt'> {
  /** Relative to the API: `/hooks/<id>`. */
  url: string;
  secret: string;
}

export interface DeploymentEvents {
  deploymentId: string;
  status: DeploymentStatus;
  events: TimelineEntry[];
}

export interface DeploymentPage {
  deployments: DeploymentView[];
  nextCursor: string | null;
}

export interface DeploymentQuery {
  target?: string;
  status?: DeploymentStatus;
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
  /** Statuses that resolve to `undefined` instead of throwing. */
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

  putTarget(name: string, target: unknown): Promise<StoredTarget> {
    return this.#required('PUT', `/targets/${encodeURIComponent(name)}`, { body: target });
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
    return this.#request('GET', `/deployments/${encodeURIComponent(id)}`, { absentOn: [404] });
  }

  async listDeployments(target: string, limit?: number): Promise<DeploymentView[]> {
    const body = await this.#required<{ deployments: DeploymentView[] }>('GET', `/targets/${encodeURIComponent(target)}/deployments`, {
      ...(limit !== undefined ? { query: { limit: String(limit) } } : {}),
    });
    return body.deployments;
  }

  rollback(target: string, release?: string): Promise<DeploymentView> {
    return this.#required('POST', `/targets/${encodeURIComponent(target)}/rollback`, {
      body: release !== undefined ? { release } : {},
    });
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
  async createRelease(target: string, release: { release: string; sha256: string; size: number; notBefore?: string }): Promise<PresignedRelease> {
    const body = await this.#required<unknown>('POST', `/targets/${encodeURIComponent(target)}/releases`, { body: release });
    return this.#parsed(presignedReleaseSchema, body, `POST /targets/${target}/releases`, 'an upload URL');
  }

  /** `GET /targets/{name}/window`: the next openings, the freezes not yet over and the deployments waiting. */
  async getWindow(target: string, count?: number): Promise<WindowView> {
    const body = await this.#required<unknown>('GET', `/targets/${encodeURIComponent(target)}/window`, {
      ...(count !== undefined ? { query: { count: String(count) } } : {}),
    });
    return this.#parsed(windowViewSchema, body, `GET /targets/${target}/window`, 'a deploy window');
  }

  /** `GET /targets/{name}/window/suggestions`: the hour-of-week traffic profile and the quietest windows. */
  async windowSuggestions(target: string, query: SuggestionQuery): Promise<WindowSuggestions> {
    const params: Record<string, string> = { durationMinutes: String(query.durationMinutes), days: String(query.days), count: String(query.count) };
    if (query.timezone !== undefined) params.timezone = query.timezone;
    const body = await this.#required<unknown>('GET', `/targets/${encodeURIComponent(target)}/window/suggestions`, { query: params });
    return this.#parsed(windowSuggestionsSchema, body, `GET /targets/${target}/window/suggestions`, 'window suggestions');
  }

  #parsed<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { path: (string | number)[]; message: string }[] } } }, body: unknown, what: string, expected: string): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new CliError(`the API's answer to ${what} is not ${expected} (${issues})`, 1);
    }
    return parsed.data;
  }

  createHook(target: string, hook: { name: string; release?: string }): Promise<CreatedHook> {
    return this.#required('POST', `/targets/${encodeURIComponent(target)}/hooks`, { body: hook });
  }

  async listHooks(target: string): Promise<DeployHook[]> {
    return (await this.#required<{ hooks: DeployHook[] }>('GET', `/targets/${encodeURIComponent(target)}/hooks`)).hooks;
  }

  async revokeHook(target: string, hookId: string): Promise<void> {
    await this.#request('DELETE', `/targets/${encodeURIComponent(target)}/hooks/${encodeURIComponent(hookId)}`);
  }

  cancelDeployment(id: string, reason?: string): Promise<DeploymentView> {
    return this.#required('POST', `/deployments/${encodeURIComponent(id)}/cancel`, { body: reason !== undefined ? { reason } : {} });
  }

  promoteDeployment(id: string, reason: string): Promise<DeploymentView> {
    return this.#required('POST', `/deployments/${encodeURIComponent(id)}/promote`, { body: { reason } });
  }

  /** `GET /deployments?target=&status=&limit=&cursor=`: one page, newest first. */
  queryDeployments(query: DeploymentQuery): Promise<DeploymentPage> {
    const params: Record<string, string> = {};
    if (query.target !== undefined) params.target = query.target;
    if (query.status !== undefined) params.status = query.status;
    if (query.limit !== undefined) params.limit = String(query.limit);
    if (query.cursor !== undefined) params.cursor = query.cursor;
    return this.#required('GET', '/deployments', { query: params });
  }

  /** `GET /deployments/{id}/events`: the timeline; `undefined` when there is no such deployment (yet). */
  deploymentEvents(id: string): Promise<DeploymentEvents | undefined> {
    return this.#request('GET', `/deployments/${encodeURIComponent(id)}/events`, { absentOn: [404] });
  }

  async #required<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.#request<T>(method, path, options)) as T;
  }

  async #request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T | undefined> {
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
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
    const { problem, raw } = problemFrom(response.status, text, `${method} ${url.pathname}`);
    if (isRouteMissing(problem, raw)) throw new RouteMissingError(method, path, this.#endpoint.url);
    if (options.absentOn?.includes(response.status)) return undefined;
    throw new ApiProblemError(problem);
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
