import type { DeploymentView } from '../shared/domain/deployment.js';
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

export class ApiUnreachableError extends CliError {
  constructor(
    readonly url: string,
    source: string,
    cause: unknown,
  ) {
    const why = describeNetworkError(cause);
    const hint =
      source === 'SLIPWAY_API_URL'
        ? 'check SLIPWAY_API_URL (unset it to use the local `slipway dev`)'
        : `is \`slipway dev\` running? Start it with \`npm start\` in the project root (the URL comes from ${source}, which stays behind when dev mode stops)`;
    super(`cannot reach the slipway API at ${url}: ${why}; ${hint}`, 1, { cause });
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  if ((error as Error)?.name === 'TimeoutError') return 'no answer in time';
  return (error as Error)?.message ?? String(error);
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
      throw new ApiUnreachableError(this.#endpoint.url, this.#endpoint.source, error);
    }
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
    if (options.absentOn?.includes(response.status)) return undefined;
    throw new ApiProblemError(problemFrom(response.status, text, `${method} ${url.pathname}`));
  }
}

/** problem+json when the API sent one; API Gateway's own errors are `{ "message": … }`. */
function problemFrom(status: number, text: string, what: string): Problem & { status: number } {
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
  return { ...problem, status, detail };
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
