import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { API_ROUTES as routes } from '../../shared/handlers/api.js';
import { HOOK_SECRET_HEADER, RateLimitedError } from '../../shared/domain/deploy-hook.js';
import { TargetNotFoundError, ValidationError } from '../../shared/domain/errors.js';
import { API_VERSION, openApiJson } from '../../shared/http/openapi.js';
import { problemResponse, problemSchema } from '../../shared/http/problems.js';
import { JWT_ROUTE_PREFIX, routeKey, ROUTES } from '../../shared/http/routes.js';

const document = JSON.parse(openApiJson());
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

function documentedRoutes(): string[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

function operations(): [string, { security: Record<string, string[]>[] }][] {
  return documentedRoutes().map((key) => {
    const [method, path] = key.split(' ') as [string, string];
    return [key, document.paths[path][method.toLowerCase()]];
  });
}

interface HttpApiEvent {
  method: string;
  path: string;
  authorizer?: { type: 'aws_iam' } | { name: string };
}

/** The one route of the table without IAM (or JWT) auth. */
const hookRoute = ROUTES.find((route) => route.auth === 'hookSecret')!;

async function serverlessEvents(): Promise<unknown> {
  // CloudFormation tags (!GetAtt, !Sub) are left unresolved: only the API's events matter here.
  const config = parseYaml(await readFile(new URL('../../serverless.yml', import.meta.url), 'utf8'), { logLevel: 'error' });
  return config.functions.api.events;
}

interface HttpEventsScript {
  httpEvents: (resolver: { resolveVariable: (name: string) => Promise<string> }) => Promise<{ httpApi?: HttpApiEvent }[]>;
  httpApiCors: (resolver: { resolveVariable: (name: string) => Promise<string> }) => Promise<unknown>;
}
const httpEventsScript = createRequire(import.meta.url)('../../scripts/http-events.cjs') as HttpEventsScript;

/** The framework's variable resolver, answering the given params. */
const resolverOf = (params: Record<string, string>) => ({
  resolveVariable: async (name: string) => {
    const value = params[name.replace(/^param:/, '')];
    if (value === undefined) throw new Error(`no ${name}`);
    return value;
  },
});

/** The http events scripts/http-events.cjs gives serverless.yml for an apiAuth mode, as the framework loads them (require). */
async function generatedRoutes(apiAuth = 'iam'): Promise<{ key: string; authorizer?: HttpApiEvent['authorizer'] }[]> {
  const httpEvents = await httpEventsScript.httpEvents(resolverOf({ apiAuth }));
  const events = httpEvents.flatMap((event) => (event.httpApi ? [event.httpApi] : []));
  expect(events).toHaveLength(httpEvents.length);
  return events.map((e) => ({ key: `${e.method} ${e.path}`, ...(e.authorizer ? { authorizer: e.authorizer } : {}) }));
}

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    // Prepare
    const validator = new Validator();
    // Act
    const result = await validator.validate(document);
    const broken = await new Validator().validate({ ...document, paths: { '/targets': { get: { responses: { 200: {} } } } } });
    // Assess
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(broken.valid, 'a response without a description').toBe(false);
  });

  it('has component schemas a strict JSON Schema 2020-12 validator compiles', () => {
    // Prepare
    const schemas = JSON.stringify(document.components.schemas).replaceAll('"#/components/schemas/', '"#/$defs/');
    const ajv = new Ajv2020({ strict: true });
    ajvFormats.default(ajv);
    ajv.addSchema({ $id: 'slipway', $defs: JSON.parse(schemas) });
    // Act
    const compile = (name: string) => () => ajv.compile({ $ref: `slipway#/$defs/${name}` });
    // Assess
    expect(Object.keys(document.components.schemas).length).toBeGreaterThan(20);
    for (const name of Object.keys(document.components.schemas)) expect(compile(name), name).not.toThrow();
  });

  it('lists exactly the routes of the table, which the router of the API handler serves, each with an endpoint', () => {
    // Prepare
    const table = ROUTES.map(routeKey);
    // Act
    const documented = documentedRoutes();
    const routed = routes.map(routeKey);
    // Assess
    // The document groups the methods of a path; the router keeps the table's order.
    expect([...documented].sort()).toEqual([...table].sort());
    expect(new Set(documented).size).toBe(documented.length);
    expect(routed).toEqual(table);
    for (const route of routes) expect(route.endpoint, route.operationId).toBeTypeOf('function');
    for (const route of ROUTES) expect(document.paths[route.path][route.method.toLowerCase()].operationId, routeKey(route)).toBe(route.operationId);
  });

  it('gives serverless.yml one http event per route of the table, each with the auth of the document', async () => {
    // Prepare
    const events = await serverlessEvents();
    // Act
    const deployed = await generatedRoutes('iam');
    const unauthenticated = deployed.filter((route) => route.authorizer === undefined).map((route) => route.key);
    const hookSecured = operations()
      .filter(([, operation]) => operation.security.some((scheme) => 'hookSecret' in scheme))
      .map(([key]) => key);
    // Assess
    expect(events).toBe('${file(./scripts/http-events.cjs):httpEvents}');
    expect(deployed.map((route) => route.key)).toEqual(ROUTES.map(routeKey));
    expect(unauthenticated).toEqual([routeKey(hookRoute)]);
    expect(hookSecured).toEqual(unauthenticated);
    for (const route of deployed.filter((r) => r.authorizer !== undefined)) expect(route.authorizer, route.key).toEqual({ type: 'aws_iam' });
  });

  it('puts the routes behind the JWT authorizer with apiAuth=jwt, and with both serves each twice: IAM as written, JWT under /jwt', async () => {
    // Act
    const jwt = await generatedRoutes('jwt');
    const both = await generatedRoutes('both');
    // Assess
    expect(jwt.map((route) => route.key)).toEqual(ROUTES.map(routeKey));
    for (const route of jwt) expect(route.authorizer, route.key).toEqual(route.key === routeKey(hookRoute) ? undefined : { name: 'jwt' });
    const secured = ROUTES.filter((route) => route.auth === 'iam');
    expect(both.map((route) => route.key).sort()).toEqual(
      [...ROUTES.map(routeKey), ...secured.map((route) => `${route.method} ${JWT_ROUTE_PREFIX}${route.path}`)].sort(),
    );
    for (const route of both) {
      const expected = route.key === routeKey(hookRoute) ? undefined : route.key.includes(` ${JWT_ROUTE_PREFIX}/`) ? { name: 'jwt' } : { type: 'aws_iam' };
      expect(route.authorizer, route.key).toEqual(expected);
    }
    await expect(generatedRoutes('cognito')).rejects.toThrow('apiAuth is "cognito": use iam (the default), jwt or both');
  });

  it('answers CORS for the dashboardOrigin param only, with the headers the dashboard sends and the ETag it reads', async () => {
    // Act
    const none = await httpEventsScript.httpApiCors(resolverOf({ dashboardOrigin: '' }));
    const two = await httpEventsScript.httpApiCors(resolverOf({ dashboardOrigin: 'https://d1.cloudfront.net, https://ops.example.com' }));
    // Assess
    expect(none).toBe(false);
    expect(two).toEqual({
      allowedOrigins: ['https://d1.cloudfront.net', 'https://ops.example.com'],
      allowedHeaders: ['authorization', 'content-type', 'if-none-match'],
      allowedMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      exposedResponseHeaders: ['etag'],
      maxAge: 600,
    });
    await expect(httpEventsScript.httpApiCors(resolverOf({ dashboardOrigin: 'https://d1.cloudfront.net/' }))).rejects.toThrow(
      'dashboardOrigin "https://d1.cloudfront.net/" is not an origin: give scheme and host only',
    );
  });

  it('secures every route with SigV4 (or a JWT) but the hook route, which takes the hook secret header', () => {
    // Prepare
    const schemes = document.components.securitySchemes;
    // Act
    const byRoute = Object.fromEntries(operations().map(([key, operation]) => [key, operation.security]));
    // Assess
    for (const [key, security] of Object.entries(byRoute)) {
      if (key === routeKey(hookRoute)) expect(security, key).toEqual([{ hookSecret: [] }]);
      else expect(security, key).toEqual([{ sigv4: [] }, { jwt: [] }]);
    }
    expect(schemes.sigv4).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization', 'x-amazon-apigateway-authtype': 'awsSigv4' });
    expect(schemes.hookSecret).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Slipway-Hook-Secret' });
    expect(schemes.hookSecret.name.toLowerCase()).toBe(HOOK_SECRET_HEADER);
  });

  it('documents problem answers with the Problem schema the handler produces', () => {
    // Prepare
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema(document, 'openapi');
    const validate = ajv.getSchema('openapi#/components/schemas/Problem')!;
    const errors = [
      new ValidationError('invalid deployment request: release: Required', [{ path: 'release', message: 'Required' }]),
      new TargetNotFoundError('hello'),
      new RateLimitedError(30, 10, 60),
      Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, expose: true }),
      new Error('socket hang up'),
    ];
    // Act
    const bodies = errors.map((error) => JSON.parse(problemResponse(error).body as string));
    // Assess
    for (const body of bodies) {
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
      expect(problemSchema.parse(body)).toEqual(body);
    }
    expect(validate({ ...bodies[0], type: 'https://slipway.dev/problems/made-up' })).toBe(false);
  });

  it('names the status and problem types of each error answer, and a default for the rest', () => {
    // Prepare
    const hookCall = document.paths[hookRoute.path][hookRoute.method.toLowerCase()];
    // Act
    const statuses = Object.keys(hookCall.responses);
    // Assess
    expect(statuses).toEqual(['202', '400', '401', '404', '409', '415', '429', 'default']);
    expect(hookCall.responses['429'].headers).toHaveProperty('Retry-After');
    expect(hookCall.responses['401'].content['application/problem+json'].schema.allOf[1]).toEqual({
      properties: { status: { const: 401 }, type: { enum: ['https://slipway.dev/problems/unauthorized'] } },
    });
    expect(Object.keys(document.paths['/targets'].get.responses)).toEqual(['200', 'default']);
  });

  it('carries the version of package.json', async () => {
    // Prepare
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    // Assess
    expect(document.info.version).toBe(API_VERSION);
    expect(API_VERSION).toBe(pkg.version);
  });

  it('is committed as docs/openapi.json exactly as generated (npm run openapi)', async () => {
    // Prepare
    const committed = await readFile(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
    // Assess
    expect(committed, 'docs/openapi.json is stale: run `npm run openapi`').toBe(openApiJson());
  });
});
