/**
 * The dashboard's one data module: the only place that knows the API's routes. Every read and
 * action goes through slipway's public HTTPS API (the routes and schemas the CLI uses), with the
 * bearer token of the signed-in user when the API has a JWT authorizer.
 *
 * Reads that are polled send `If-None-Match` with the ETag of the last answer; a `304` costs the
 * API no body and the page keeps what it shows.
 */
import { composeSummary, downstreamOf } from './view/summary-fallback';
import type { Deployment, DeploymentPage, MetricsReport, Problem, Target, TargetSummary, TargetWindow } from './types';

/** `config.json`, served next to index.html: dev mode writes it, in AWS it is the site's runtime config. */
export interface DashboardConfig {
  /** The API's base URL, absolute or relative to the page (`api` in dev mode: the same origin). */
  apiUrl: string;
  /** OIDC sign-in (authorization code + PKCE) against the API's JWT authorizer; absent: no sign-in. */
  auth?: { issuer: string; clientId: string; scope?: string; redirectUri?: string };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What a conditional read gives: the new body and its ETag, or `unchanged` after a 304. */
export type Conditional<T> = { unchanged: true } | { unchanged: false; data: T; etag: string | undefined };

export interface HistoryQuery {
  target?: string;
  status?: string[];
  trigger?: string;
  /** ISO times: requested at or after `since`, before `until`. */
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export interface MetricsQuery {
  target?: string;
  since: string;
  until?: string;
}

type Fetch = typeof fetch;

/** A 404 for a route this API does not have (an older API), as against a 404 for a missing target or deployment. */
const routeMissing = (error: unknown): boolean =>
  error instanceof ApiError && error.status === 404 && (error.problem?.type?.endsWith('/route-not-found') ?? false);

export class SlipwayApi {
  /** Whether the API serves `GET /summary` (unknown until the first call). */
  private summaryRoute: boolean | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly token: () => Promise<string | undefined> = async () => undefined,
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
  ) {}

  private url(path: string, query: Record<string, string | undefined> = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
    const qs = params.toString();
    return `${this.baseUrl.replace(/\/$/, '')}${path}${qs ? `?${qs}` : ''}`;
  }

  private async request(method: string, path: string, options: { query?: Record<string, string | undefined>; body?: unknown; etag?: string } = {}) {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = await this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.etag) headers['if-none-match'] = options.etag;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetchImpl(this.url(path, options.query), {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    if (response.status === 304) return { response, body: undefined };
    const text = await response.text();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const problem = body as Problem | undefined;
      const detail = problem?.errors?.length ? problem.errors.map((e) => `${e.path}: ${e.message}`).join('; ') : (problem?.detail ?? problem?.title);
      throw new ApiError(response.status, problem, detail ?? `${method} ${path} answered ${response.status}`);
    }
    return { response, body };
  }

  private async conditional<T>(path: string, etag: string | undefined, query?: Record<string, string | undefined>): Promise<Conditional<T>> {
    const { response, body } = await this.request('GET', path, { ...(query ? { query } : {}), ...(etag ? { etag } : {}) });
    if (response.status === 304) return { unchanged: true };
    return { unchanged: false, data: body as T, etag: response.headers.get('etag') ?? undefined };
  }

  /** Every target's summary: `GET /summary`, or composed from the older routes where it is missing. */
  async summary(etag?: string): Promise<Conditional<TargetSummary[]>> {
    if (this.summaryRoute !== false) {
      try {
        const answer = await this.conditional<{ targets: TargetSummary[] }>('/summary', etag);
        this.summaryRoute = true;
        return answer.unchanged ? answer : { ...answer, data: answer.data.targets };
      } catch (error) {
        if (!(routeMissing(error) && this.summaryRoute === undefined)) throw error;
        this.summaryRoute = false;
      }
    }
    return { unchanged: false, data: await this.composedSummary(), etag: undefined };
  }

  private async composedSummary(): Promise<TargetSummary[]> {
    const { body } = await this.request('GET', '/targets');
    const targets = (body as { targets: Target[] }).targets;
    const downstream = downstreamOf(targets);
    const now = new Date();
    return Promise.all(
      targets.map(async (target) => {
        const [deployments, window] = await Promise.all([
          this.request('GET', `/targets/${encodeURIComponent(target.name)}/deployments`, { query: { limit: '20' } }).then(
            ({ body }) => (body as { deployments: Deployment[] }).deployments,
          ),
          target.window
            ? this.request('GET', `/targets/${encodeURIComponent(target.name)}/window`).then(({ body }) => body as TargetWindow)
            : Promise.resolve(undefined),
        ]);
        return composeSummary(target, deployments, window, downstream.get(target.name) ?? [], now);
      }),
    );
  }

  deployment(id: string, etag?: string): Promise<Conditional<Deployment>> {
    return this.conditional<Deployment>(`/deployments/${encodeURIComponent(id)}`, etag);
  }

  async history(query: HistoryQuery): Promise<DeploymentPage> {
    const { body } = await this.request('GET', '/deployments', {
      query: {
        target: query.target,
        status: query.status?.join(','),
        trigger: query.trigger,
        since: query.since,
        until: query.until,
        limit: String(query.limit ?? 20),
        cursor: query.cursor,
      },
    });
    return body as DeploymentPage;
  }

  /** The releases a target can roll back to: its succeeded deployments, newest first. */
  async releases(target: string): Promise<Deployment[]> {
    const { body } = await this.request('GET', `/targets/${encodeURIComponent(target)}/deployments`, { query: { limit: '50' } });
    return (body as { deployments: Deployment[] }).deployments.filter((d) => d.status === 'succeeded');
  }

  /** Delivery metrics, or `undefined` when the API does not serve `GET /metrics`. */
  async metrics(query: MetricsQuery): Promise<MetricsReport | undefined> {
    try {
      const { body } = await this.request('GET', '/metrics', { query: { target: query.target, since: query.since, until: query.until } });
      return body as MetricsReport;
    } catch (error) {
      if (routeMissing(error)) return undefined;
      throw error;
    }
  }

  /**
   * Rolls a target back to the previous release, or to `release`. The rollback route records the
   * caller but takes no reason (RollbackRequest has `release` only), so the reason stays on the page.
   */
  async rollback(target: string, release?: string): Promise<Deployment> {
    const { body } = await this.request('POST', `/targets/${encodeURIComponent(target)}/rollback`, { body: release ? { release } : {} });
    return body as Deployment;
  }

  async cancel(id: string, reason: string): Promise<Deployment> {
    return (await this.request('POST', `/deployments/${encodeURIComponent(id)}/cancel`, { body: reason ? { reason } : {} })).body as Deployment;
  }

  /** Skips the rest of the bake (straight to 100%), or starts a waiting deployment now. */
  async promote(id: string, reason: string): Promise<Deployment> {
    return (await this.request('POST', `/deployments/${encodeURIComponent(id)}/promote`, { body: { reason } })).body as Deployment;
  }

  async approve(id: string, reason: string): Promise<Deployment> {
    return (await this.request('POST', `/deployments/${encodeURIComponent(id)}/approve`, { body: { reason } })).body as Deployment;
  }

  async reject(id: string, reason: string): Promise<Deployment> {
    return (await this.request('POST', `/deployments/${encodeURIComponent(id)}/reject`, { body: { reason } })).body as Deployment;
  }
}

export async function loadConfig(fetchImpl: Fetch = (...args) => fetch(...args)): Promise<DashboardConfig> {
  const response = await fetchImpl('config.json', { cache: 'no-cache' });
  if (!response.ok) throw new Error(`config.json answered ${response.status}: the dashboard needs it next to index.html (docs/dashboard.md)`);
  const config = (await response.json()) as DashboardConfig;
  if (typeof config.apiUrl !== 'string' || !config.apiUrl) throw new Error('config.json has no apiUrl: set it to the API URL (docs/dashboard.md)');
  return config;
}
