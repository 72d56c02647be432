/**
 * The ONE route table of the HTTPS API: each route is written here once, and everything else is
 * derived from it:
 * - the router (shared/handlers/api.ts) maps each operationId to its endpoint function;
 * - the OpenAPI document (shared/http/openapi.ts, docs/openapi.json) reads every field;
 * - serverless.yml's http events of the api function (scripts/http-events.cjs reads this file);
 * - the tests compare the router, the document and the packaged template against it.
 *
 * Data only, with no imports: scripts/http-events.cjs loads it without the endpoint code (and the
 * Serverless Framework cannot load TypeScript itself). Names of schemas, headers, problem kinds and
 * queries are checked against shared/http/openapi.ts by the compiler.
 */

export type RouteMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface RouteAnswer {
  readonly status: 200 | 201 | 202 | 204;
  readonly description: string;
  /** A component schema of the OpenAPI document. */
  readonly body?: string;
  readonly headers?: readonly string[];
}

export interface RouteSpec {
  readonly method: RouteMethod;
  /** With `{param}` segments, as API Gateway and the router match it. */
  readonly path: string;
  /** The endpoint's name: the router's key and the document's operationId. */
  readonly operationId: string;
  /** The hook route authenticates with its secret (no authorizer); every other route with IAM (or a JWT). */
  readonly auth: 'iam' | 'hookSecret';
  readonly summary: string;
  readonly description?: string;
  /** The query parameters, by the name of their schema (QUERIES in shared/http/openapi.ts). */
  readonly query?: string;
  /** The request body: a component schema, and whether it may be left out. */
  readonly body?: { readonly schema: string; readonly required: boolean };
  readonly answers: readonly RouteAnswer[];
  /** What the route itself can fail with; invalid input, internal and unavailable apply to all. */
  readonly problems: readonly string[];
  /**
   * A GET whose 200 answer carries an `ETag` and that answers 304, with no body, to an
   * `If-None-Match` naming it: for clients that poll (shared/http/conditional.ts).
   */
  readonly conditional?: true;
}

const ok = <const Body extends string>(body: Body, description: string) => ({ status: 200, description, body }) as const;
const created = <const Body extends string, const Header extends string>(body: Body, description: string, headers: readonly Header[]) =>
  ({ status: 201, description, body, headers }) as const;
const accepted = { status: 202, description: 'The deployment, queued; follow it at Location', body: 'Deployment', headers: ['Location'] } as const;
const noContent = (description: string) => ({ status: 204, description }) as const;

/** Every route of the API, in the order the OpenAPI document lists them. */
export const ROUTES = [
  {
    method: 'GET',
    path: '/targets',
    operationId: 'listTargets',
    summary: 'List the registered targets',
    auth: 'iam',
    answers: [ok('TargetList', 'Every target, defaults filled in')],
    problems: [],
  },
  {
    method: 'GET',
    path: '/targets/{name}',
    operationId: 'getTarget',
    summary: 'Read a target',
    auth: 'iam',
    answers: [ok('Target', 'The target, defaults filled in')],
    problems: ['not-found'],
  },
  {
    method: 'PUT',
    path: '/targets/{name}',
    operationId: 'putTarget',
    summary: 'Register or replace a target; a change of its configuration alone deploys the live release again with it',
    description:
      'A changed `configuration` (function) or `runtimeConfig` (site) on a target with a live release through slipway starts a deployment ' +
      'of that release (same artifact and sha256) with the new configuration, trigger `config`: 202. Anything else starts nothing: 200, ' +
      'and `why` says what becomes of the configuration. `?dryRun=true` validates and answers the same without storing or starting anything. ' +
      'A function or site (by distribution) that another target already deploys is refused with 409 naming that target; nothing is stored.',
    auth: 'iam',
    query: 'TargetApplyQuery',
    body: { schema: 'TargetConfig', required: true },
    answers: [
      ok('TargetApplied', 'The stored target (defaults filled in) and its configuration changes; nothing started'),
      {
        status: 202,
        description: 'The stored target and the deployment of the live release with the new configuration; follow it at Location',
        body: 'TargetApplied',
        headers: ['Location'],
      },
    ],
    problems: ['conflict'],
  },
  {
    method: 'GET',
    path: '/targets/{name}/deployments',
    operationId: 'listTargetDeployments',
    summary: "A target's deployments, newest first",
    auth: 'iam',
    query: 'TargetDeploymentsQuery',
    answers: [ok('TargetDeployments', 'Newest first, up to `limit`')],
    problems: ['not-found'],
    conditional: true,
  },
  {
    method: 'POST',
    path: '/targets/{name}/rollback',
    operationId: 'rollbackTarget',
    summary: 'Roll back to the previous release, or to a named one',
    auth: 'iam',
    body: { schema: 'RollbackRequest', required: false },
    answers: [accepted],
    problems: ['not-found', 'conflict'],
  },
  {
    method: 'POST',
    path: '/deployments',
    operationId: 'createDeployment',
    summary: 'Deploy a release already uploaded to the artifact bucket',
    auth: 'iam',
    body: { schema: 'DeployRequest', required: true },
    answers: [accepted],
    problems: ['not-found', 'conflict'],
  },
  {
    method: 'GET',
    path: '/deployments/{id}',
    operationId: 'getDeployment',
    summary: 'Read a deployment: status, versions, traffic, reason, timeline',
    auth: 'iam',
    answers: [ok('Deployment', 'The deployment')],
    problems: ['not-found'],
    conditional: true,
  },
  {
    method: 'POST',
    path: '/targets/{name}/releases',
    operationId: 'createReleaseUpload',
    summary: 'A presigned PUT URL for a release zip, valid 15 minutes',
    description: 'The URL is bound to the declared size and sha256: send every header of `headers` with the PUT, exactly as given.',
    auth: 'iam',
    body: { schema: 'ReleaseUploadRequest', required: true },
    answers: [created('ReleaseUpload', 'Where and how to PUT the zip', ['Cache-Control'])],
    problems: ['not-found', 'conflict'],
  },
  {
    method: 'POST',
    path: '/targets/{name}/hooks',
    operationId: 'createDeployHook',
    summary: 'Create a deploy hook; the answer shows its secret, once',
    auth: 'iam',
    body: { schema: 'DeployHookCreateRequest', required: true },
    answers: [created('DeployHookCreated', 'The hook with its secret, shown only here', ['Location', 'Cache-Control'])],
    problems: ['not-found'],
  },
  {
    method: 'GET',
    path: '/targets/{name}/hooks',
    operationId: 'listDeployHooks',
    summary: "A target's live deploy hooks, newest first, without secrets",
    auth: 'iam',
    answers: [ok('DeployHookList', 'The live hooks')],
    problems: ['not-found'],
  },
  {
    method: 'DELETE',
    path: '/targets/{name}/hooks/{hookId}',
    operationId: 'revokeDeployHook',
    summary: 'Revoke a deploy hook',
    auth: 'iam',
    answers: [noContent('Revoked')],
    problems: ['not-found'],
  },
  {
    method: 'POST',
    path: '/hooks/{hookId}',
    operationId: 'callDeployHook',
    summary: "Deploy through a hook: the body's release, else the hook's, else the newest upload",
    description: 'The one route without IAM auth: the hook secret authenticates the call. Rate limited per hook, secret right or wrong.',
    auth: 'hookSecret',
    body: { schema: 'DeployHookCallRequest', required: false },
    answers: [accepted],
    problems: ['unauthorized', 'not-found', 'conflict', 'rate-limited'],
  },
  {
    method: 'GET',
    path: '/deployments',
    operationId: 'listDeployments',
    summary: 'Deployments newest first, all targets or one, filtered by status, trigger and period, paged',
    auth: 'iam',
    query: 'DeploymentsQuery',
    answers: [ok('DeploymentList', 'One page; `nextCursor` is null on the last')],
    problems: [],
    conditional: true,
  },
  {
    method: 'GET',
    path: '/summary',
    operationId: 'getSummary',
    summary:
      'Every target at a glance: what is live since when and by whom, the traffic split, what runs, the last deployment, the window, the promotion chain',
    description:
      'Reads one page of recent history per target (never the whole history). Poll it with `If-None-Match`: an unchanged overview answers 304 with no body.',
    auth: 'iam',
    answers: [ok('Summary', 'One entry per registered target, by name')],
    problems: [],
    conditional: true,
  },
  {
    method: 'GET',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Delivery metrics over a period, overall and per target: deployment frequency, lead time, change failure rate, time to restore',
    description:
      '`since` is `<N>d` (N days before `until`) or an ISO 8601 time, 30d by default; `until` an ISO 8601 time, now by default; the period is at most 366 days. ' +
      'Counts are of the deployments requested in the period; `complete` is false when it held more than one answer reads (5,000, newest first).',
    auth: 'iam',
    query: 'MetricsQuery',
    answers: [ok('DeliveryMetrics', 'The metrics of the period')],
    problems: ['not-found'],
  },
  {
    method: 'GET',
    path: '/deployments/{id}/events',
    operationId: 'getDeploymentEvents',
    summary: "A deployment's timeline, oldest first",
    auth: 'iam',
    answers: [ok('DeploymentEvents', 'The timeline')],
    problems: ['not-found'],
  },
  {
    method: 'POST',
    path: '/deployments/{id}/cancel',
    operationId: 'cancelDeployment',
    summary: 'Cancel a deployment: `cancelled` before any traffic moved, rolled back after',
    auth: 'iam',
    body: { schema: 'CancelRequest', required: false },
    answers: [{ ...accepted, description: 'The deployment, with the cancel recorded; the workflow acts on it at its next step' }],
    problems: ['not-found', 'conflict'],
  },
  {
    method: 'POST',
    path: '/deployments/{id}/promote',
    operationId: 'promoteDeployment',
    summary: 'Skip the rest of the bake and go to 100%',
    auth: 'iam',
    body: { schema: 'PromoteRequest', required: true },
    answers: [{ ...accepted, description: 'The deployment, with the promote recorded' }],
    problems: ['not-found', 'conflict'],
  },
  {
    method: 'POST',
    path: '/targets/{name}/promotions',
    operationId: 'promoteTarget',
    summary: "Promote the upstream's release into a gated target: the named one, or the newest eligible",
    description:
      'The very artifact that passed upstream (same release, same sha256). Behind `approval: "required"` the deployment waits, with no execution, until it is approved or rejected.',
    auth: 'iam',
    body: { schema: 'PromotionRequest', required: false },
    answers: [{ ...accepted, description: 'The promotion, queued or awaiting approval; follow it at Location' }],
    problems: ['not-found', 'conflict'],
  },
  {
    method: 'POST',
    path: '/deployments/{id}/approve',
    operationId: 'approveDeployment',
    summary: 'Approve a promotion that awaits approval; it starts (the window and lock still apply)',
    auth: 'iam',
    body: { schema: 'ApprovalRequest', required: true },
    answers: [{ ...accepted, description: 'The promotion, approved and started' }],
    problems: ['not-found', 'conflict'],
  },
  {
    method: 'POST',
    path: '/deployments/{id}/reject',
    operationId: 'rejectDeployment',
    summary: 'Reject a promotion that awaits approval; it ends `cancelled`',
    auth: 'iam',
    body: { schema: 'ApprovalRequest', required: true },
    answers: [{ ...accepted, description: 'The promotion, cancelled' }],
    problems: ['not-found', 'conflict'],
  },
  {
    method: 'DELETE',
    path: '/targets/{name}',
    operationId: 'deleteTarget',
    summary: 'Unregister a target with no active deployment',
    auth: 'iam',
    answers: [noContent('Unregistered; its deployment records and uploaded releases are kept')],
    problems: ['not-found', 'conflict'],
  },
  {
    method: 'GET',
    path: '/targets/{name}/window',
    operationId: 'getTargetWindow',
    summary: "The next openings of a target's deploy window, the freezes ahead and what waits for them",
    auth: 'iam',
    query: 'WindowQuery',
    answers: [ok('TargetWindow', 'The window; `timezone` is null when the target has none (releases start at once)')],
    problems: ['not-found'],
  },
  {
    method: 'GET',
    path: '/targets/{name}/window/suggestions',
    operationId: 'suggestTargetWindows',
    summary: "Deploy windows suggested from the target's traffic (an hour-of-week profile from CloudWatch)",
    auth: 'iam',
    query: 'SuggestionsQuery',
    answers: [ok('WindowSuggestions', 'The profile and the quietest windows, quietest first')],
    problems: ['not-found'],
  },
  {
    method: 'GET',
    path: '/targets/{name}/pipeline',
    operationId: 'getTargetPipeline',
    summary: 'The chain of environments a target belongs to: what is live in each, what is eligible next and why, what waits for approval',
    auth: 'iam',
    answers: [ok('TargetPipeline', 'The environments, root first (at most 20; `omitted` counts the rest)')],
    problems: ['not-found'],
  },
  {
    method: 'GET',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    auth: 'iam',
    answers: [ok('OpenApiDocument', 'The OpenAPI 3.1 document of the API')],
    problems: [],
  },
] as const satisfies readonly RouteSpec[];

export type Route = (typeof ROUTES)[number];

/** The name of each route's endpoint; the router has exactly one endpoint per name. */
export type OperationId = Route['operationId'];

/** `METHOD /path`, as API Gateway names a route (its RouteKey). */
export const routeKey = (route: { readonly method: string; readonly path: string }): string => `${route.method} ${route.path}`;

/**
 * With `apiAuth=both`, every route but the hook route is served twice: as written, behind IAM for
 * the CLI, and under this prefix behind the JWT authorizer for the dashboard's signed-in viewers
 * (API Gateway takes one authorizer per route). The api function strips it before routing.
 */
export const JWT_ROUTE_PREFIX = '/jwt';
