/**
 * The OpenAPI 3.1 document of slipway's HTTPS API, generated from the zod schemas the handlers
 * parse requests and answers with: change a schema and the document changes with it. The routes
 * come from the one route table (shared/http/routes.ts), and docs/openapi.json is this document as
 * `npm run openapi` writes it.
 */
import { z } from 'zod';
import { ignoreOverride, zodToJsonSchema } from 'zod-to-json-schema';
import { configurationChangeSchema } from '../domain/configuration.js';
import { HOOK_SECRET_HEADER } from '../domain/deploy-hook.js';
import { functionTargetSchema, healthSchema, siteTargetSchema, targetSchema } from '../domain/target.js';
import { strategySchema } from '../domain/strategy.js';
import { siteStrategySchema, siteStrategyShape } from '../domain/site-canary.js';
import { windowSchema } from '../domain/window.js';
import {
  cancelRequestSchema,
  deploymentTimelineSchema,
  deploymentListSchema,
  deploymentsQuerySchema,
  deploymentViewSchema,
  promoteRequestSchema,
  timelineEntrySchema,
} from './control-schemas.js';
import { fieldIssueSchema, PROBLEM_CONTENT_TYPE, PROBLEM_KINDS, problemSchema, problemType, type ProblemKind } from './problems.js';
import type { ApiResult } from './request.js';
import { ROUTES, type RouteAnswer, type RouteSpec } from './routes.js';
import {
  deployRequestSchema,
  historyQuerySchema,
  rollbackRequestSchema,
  targetApplyQuerySchema,
  targetAppliedSchema,
  targetConfigRequestSchema,
  targetDeploymentsSchema,
  targetListSchema,
} from './schemas.js';
import {
  deployHookCallRequestSchema,
  deployHookCreatedSchema,
  deployHookCreateRequestSchema,
  deployHookListSchema,
  deployHookViewSchema,
  releaseUploadRequestSchema,
  releaseUploadResponseSchema,
} from './upload-hook-schemas.js';
import { approvalRequestSchema, promotionRequestSchema } from './promotion-schemas.js';
import { suggestionsQuerySchema, suggestionsViewSchema, windowQuerySchema, windowViewSchema } from './window-schemas.js';
import { pipelineViewSchema } from './pipeline-schemas.js';
import { deliveryMetricsSchema, metricsQuerySchema, metricsSchema, summarySchema, targetSummarySchema } from './dashboard-schemas.js';

/** The document itself, as `GET /openapi.json` answers with it. */
export const openApiDocumentSchema = z
  .object({
    openapi: z.literal('3.1.0'),
    info: z.object({ title: z.string(), version: z.string() }).passthrough(),
    paths: z.record(z.record(z.unknown())),
    components: z.record(z.record(z.unknown())),
  })
  .passthrough();

export type OpenApiDocument = z.infer<typeof openApiDocumentSchema>;

/** The version of the API the document describes; slipway's own (package.json). */
export const API_VERSION = '0.1.0';

/**
 * Named schemas: each is written once under components.schemas and referenced wherever the same
 * zod schema appears, inside other schemas too.
 */
const SCHEMAS = {
  Target: targetSchema,
  FunctionTarget: functionTargetSchema,
  SiteTarget: siteTargetSchema,
  TargetConfig: targetConfigRequestSchema,
  TargetApplied: targetAppliedSchema,
  ConfigurationChange: configurationChangeSchema,
  Strategy: strategySchema,
  Health: healthSchema,
  DeployWindow: windowSchema,
  TargetList: targetListSchema,
  Deployment: deploymentViewSchema,
  TimelineEntry: timelineEntrySchema,
  TargetDeployments: targetDeploymentsSchema,
  DeploymentList: deploymentListSchema,
  DeploymentEvents: deploymentTimelineSchema,
  DeployRequest: deployRequestSchema,
  RollbackRequest: rollbackRequestSchema,
  CancelRequest: cancelRequestSchema,
  PromoteRequest: promoteRequestSchema,
  PromotionRequest: promotionRequestSchema,
  ApprovalRequest: approvalRequestSchema,
  ReleaseUploadRequest: releaseUploadRequestSchema,
  ReleaseUpload: releaseUploadResponseSchema,
  DeployHookCreateRequest: deployHookCreateRequestSchema,
  DeployHookCreated: deployHookCreatedSchema,
  DeployHookCallRequest: deployHookCallRequestSchema,
  DeployHook: deployHookViewSchema,
  DeployHookList: deployHookListSchema,
  Problem: problemSchema,
  FieldIssue: fieldIssueSchema,
  OpenApiDocument: openApiDocumentSchema,
  TargetWindow: windowViewSchema,
  WindowSuggestions: suggestionsViewSchema,
  TargetPipeline: pipelineViewSchema,
  Summary: summarySchema,
  TargetSummary: targetSummarySchema,
  DeliveryMetrics: deliveryMetricsSchema,
  Metrics: metricsSchema,
} satisfies Record<string, z.ZodTypeAny>;

type SchemaName = keyof typeof SCHEMAS;

const HEADERS = {
  Location: { description: 'Where the resource the request created can be read', schema: { type: 'string' } },
  'Cache-Control': {
    description: 'The answer carries a secret or a bearer URL: nothing on the way may keep it',
    schema: { type: 'string', const: 'no-store' },
  },
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'string', pattern: '^[0-9]+$' } },
  'WWW-Authenticate': { description: 'How the route authenticates: the hook secret header', schema: { type: 'string' } },
  ETag: { description: 'A tag of this answer: send it back as If-None-Match and an unchanged answer is 304 with no body', schema: { type: 'string' } },
} as const;

type HeaderName = keyof typeof HEADERS;

/** Headers a problem of that kind comes with (problems.ts sets them). */
const PROBLEM_HEADERS: Partial<Record<ProblemKind, HeaderName>> = {
  unauthorized: 'WWW-Authenticate',
  'rate-limited': 'Retry-After',
  unavailable: 'Retry-After',
};

const PATH_PARAMS: Record<string, string> = {
  name: "The target's name",
  id: 'A deployment id (`d-…`)',
  hookId: 'A deploy hook id (`hk-…`)',
};

const QUERY_PARAMS: Record<string, string> = {
  limit: 'How many deployments to return at most',
  target: 'Only the deployments of this target',
  status: 'Only deployments in this status; several comma-separated (or the parameter repeated)',
  cursor: 'The `nextCursor` of the previous page (opaque)',
  count: 'How many openings (or suggestions) to return',
  durationMinutes: 'Length of each suggested window, in minutes (whole hours are proposed)',
  days: 'Days of traffic history to read (at most 28)',
  timezone: "IANA time zone of the profile; default: the target's window zone, else UTC",
  dryRun: 'With `true`: validate and answer what would happen; store nothing, start nothing',
  since: 'Start of the period: `<N>d` (N days before `until`) or an ISO 8601 time; default 30d',
  until: 'End of the period (excluded): an ISO 8601 time; default now',
};

/** The query parameters of the routes that take some, by the name the route table gives them. */
const QUERIES = {
  TargetDeploymentsQuery: historyQuerySchema.shape.query,
  TargetApplyQuery: targetApplyQuerySchema.shape.query,
  DeploymentsQuery: deploymentsQuerySchema.shape.query,
  WindowQuery: windowQuerySchema.shape.query,
  SuggestionsQuery: suggestionsQuerySchema.shape.query,
  MetricsQuery: metricsQuerySchema.shape.query,
} satisfies Record<string, z.AnyZodObject>;

interface Answer extends RouteAnswer {
  body?: SchemaName;
  headers?: readonly HeaderName[];
}

/** A route of the table, with its names narrowed to the schemas, headers, queries and problems here. */
interface RouteDoc extends RouteSpec {
  query?: keyof typeof QUERIES;
  body?: { schema: SchemaName; required: boolean };
  answers: readonly Answer[];
  problems: readonly ProblemKind[];
}

/** Every route of the API (shared/http/routes.ts); a name the document does not know is a type error here. */
const ROUTE_DOCS: readonly RouteDoc[] = ROUTES;

const SCHEMA_NAMES = new Map<unknown, string>(Object.entries(SCHEMAS).map(([name, schema]) => [schema._def, name]));

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** JSON Schema for a zod schema; named schemas inside it become references to components. */
function jsonSchemaOf(schema: z.ZodTypeAny, definitions?: Record<string, z.ZodTypeAny>): Record<string, unknown> {
  const { $schema: _dialect, ...result } = zodToJsonSchema(schema, {
    // Draft 7 output is valid 2020-12 (OpenAPI 3.1's dialect) for what these schemas use; the
    // library's 2019-09 output writes exclusiveMinimum the draft-4 way.
    target: 'jsonSchema7',
    // Repeats of an unnamed schema are written out again: no pointers into other schemas' insides.
    $refStrategy: 'none',
    ...(definitions ? { definitions } : {}),
    override: (def, _refs, _seen, forceResolution) => {
      // A site's strategy is checked by a refinement (for errors in words); the document shows the shapes it accepts.
      if (def === siteStrategySchema._def) return jsonSchemaOf(siteStrategyShape);
      const name = SCHEMA_NAMES.get(def);
      return name !== undefined && !forceResolution ? schemaRef(name) : ignoreOverride;
    },
  }) as Record<string, unknown>;
  return result;
}

function componentSchemas(): Record<string, unknown> {
  const { definitions } = jsonSchemaOf(z.never(), SCHEMAS) as { definitions: Record<string, unknown> };
  return definitions;
}

function pathParameters(path: string) {
  return [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => {
    const description = PATH_PARAMS[name!];
    if (description === undefined) throw new Error(`path parameter {${name}} of ${path} has no description`);
    return { name, in: 'path', required: true, description, schema: { type: 'string', minLength: 1 } };
  });
}

function queryParameters(query: keyof typeof QUERIES | undefined) {
  return Object.entries((query ? QUERIES[query].shape : {}) as Record<string, z.ZodTypeAny>).map(([name, schema]) => ({
    name,
    in: 'query',
    required: !schema.isOptional(),
    ...(QUERY_PARAMS[name] ? { description: QUERY_PARAMS[name] } : {}),
    schema: jsonSchemaOf(schema instanceof z.ZodOptional ? schema.unwrap() : schema),
  }));
}

const headerRefs = (names: readonly HeaderName[] = []) =>
  names.length === 0 ? {} : { headers: Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }])) };

/** The input errors any route with parameters or a body can answer with. */
function inputProblems(route: RouteDoc): ProblemKind[] {
  const hasInput = route.body !== undefined || route.query !== undefined || route.path.includes('{');
  if (!hasInput) return [];
  return route.body ? ['validation', 'malformed-json', 'unsupported-media-type'] : ['validation'];
}

/** A problem answer: the Problem schema narrowed to the statuses and types this route sends. */
function problemAnswer(kinds: ProblemKind[]) {
  const status = PROBLEM_KINDS[kinds[0]!].status;
  return {
    description: kinds.map((kind) => `\`${kind}\`: ${PROBLEM_KINDS[kind].title}`).join('; '),
    ...headerRefs([...new Set(kinds.flatMap((kind) => PROBLEM_HEADERS[kind] ?? []))]),
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: {
          allOf: [schemaRef('Problem'), { properties: { status: { const: status }, type: { enum: kinds.map((kind) => problemType(kind)) } } }],
        },
      },
    },
  };
}

function problemAnswers(route: RouteDoc) {
  const byStatus = new Map<number, ProblemKind[]>();
  for (const kind of new Set([...inputProblems(route), ...route.problems])) {
    const status = PROBLEM_KINDS[kind].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), kind]);
  }
  return Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([status, kinds]) => [String(status), problemAnswer(kinds)]));
}

/** A conditional route's If-None-Match parameter (shared/http/conditional.ts). */
const ifNoneMatch = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description: 'The ETag of an answer already held: 304 with no body while the answer is unchanged',
  schema: { type: 'string' },
};

function operation(route: RouteDoc) {
  const parameters = [...pathParameters(route.path), ...queryParameters(route.query), ...(route.conditional ? [ifNoneMatch] : [])];
  const answers = Object.fromEntries(
    route.answers.map((answer) => [
      String(answer.status),
      {
        description: answer.description,
        ...headerRefs([...(answer.headers ?? []), ...(route.conditional && answer.status === 200 ? (['ETag'] as const) : [])]),
        ...(answer.body ? { content: { 'application/json': { schema: schemaRef(answer.body) } } } : {}),
      },
    ]),
  );
  if (route.conditional) answers['304'] = { description: 'Not modified: the If-None-Match tag is the current one', ...headerRefs(['ETag']) };
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: route.auth === 'hookSecret' ? [{ hookSecret: [] }] : [{ sigv4: [] }, { jwt: [] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: route.body.required, content: { 'application/json': { schema: schemaRef(route.body.schema) } } } } : {}),
    responses: { ...answers, ...problemAnswers(route), default: { $ref: '#/components/responses/Problem' } },
  };
}

/** `x-slipway-hook-secret` as people write it. */
const hookSecretHeader = HOOK_SECRET_HEADER.replace(/(^|-)[a-z]/g, (start) => start.toUpperCase());

function buildDocument(): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTE_DOCS) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'slipway',
      version: API_VERSION,
      summary: 'Safe serverless deployments for AWS Lambda functions and static sites',
      description:
        'JSON in and out. Every error is an RFC 9457 problem document (`application/problem+json`) with a stable `type`; ' +
        'validation errors name each field in `errors[].path`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    paths,
    components: {
      schemas: componentSchemas(),
      headers: HEADERS,
      responses: {
        Problem: {
          description: 'Any other failure, e.g. `internal` (500) or `unavailable` (503, with Retry-After)',
          content: { [PROBLEM_CONTENT_TYPE]: { schema: schemaRef('Problem') } },
        },
      },
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'IAM: requests signed with AWS Signature Version 4 (service `execute-api`) by a principal allowed `execute-api:Invoke`. ' +
            'The default (`apiAuth=iam`). API Gateway answers unsigned or refused requests itself (403, not a problem document).',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
        jwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'Instead of sigv4 on a stage deployed with `apiAuth=jwt`, or on the same paths under `/jwt` with `apiAuth=both`: ' +
            'a token of the configured issuer and audience (API Gateway answers 401 itself without one).',
        },
        hookSecret: {
          type: 'apiKey',
          in: 'header',
          name: hookSecretHeader,
          description: 'The secret a deploy hook was created with (shown once, in the create answer).',
        },
      },
    },
  };
  return openApiDocumentSchema.parse(document);
}

/** The document as served and as written to docs/openapi.json; built once per process. */
let documentJson: string | undefined;
export const openApiJson = (): string => (documentJson ??= `${JSON.stringify(buildDocument(), null, 2)}\n`);

/** `GET /openapi.json`. */
export async function serveOpenApi(): Promise<ApiResult> {
  return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: openApiJson() };
}
