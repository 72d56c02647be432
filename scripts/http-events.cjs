/**
 * The api function's http events and the HTTP API's CORS settings, from the one route table
 * (shared/http/routes.ts) and the stage's params. serverless.yml reads them with
 * `events: ${file(./scripts/http-events.cjs):httpEvents}` and
 * `cors: ${file(./scripts/http-events.cjs):httpApiCors}`.
 *
 * The Serverless Framework loads this file with require() and cannot load TypeScript: the table,
 * data only and without imports, is compiled here with esbuild (the one the bundles are built with).
 * Each export is a function of the framework's variable resolver, so the events follow the params.
 */
'use strict';

const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('esbuild');

const TABLE = join(__dirname, '..', 'shared', 'http', 'routes.ts');

/** @returns {{ ROUTES: ReadonlyArray<{ method: string; path: string; auth: 'iam' | 'hookSecret' }>; JWT_ROUTE_PREFIX: string }} */
function loadTable() {
  const { code } = transformSync(readFileSync(TABLE, 'utf8'), { loader: 'ts', format: 'cjs', sourcefile: TABLE });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', code)(module, module.exports, () => {
    throw new Error(`${TABLE} must stay data only: it imports something, which http-events.cjs cannot load`);
  });
  return module.exports;
}

const IAM = { type: 'aws_iam' };
// The authorizer serverless.yml declares under provider.httpApi.authorizers with apiAuth jwt or both.
const JWT = { name: 'jwt' };
const MODES = ['iam', 'jwt', 'both'];

/**
 * The events for one apiAuth mode:
 * - `iam`: every route but the hook route behind IAM (SigV4), for the CLI and scripts;
 * - `jwt`: the same routes behind the JWT authorizer instead;
 * - `both`: the IAM routes as with `iam`, and each again under JWT_ROUTE_PREFIX behind the JWT
 *   authorizer, for the dashboard's signed-in viewers.
 * The hook route takes no authorizer in any mode: CI systems without AWS credentials call it with
 * the hook's secret, which the handler checks with a per-hook rate limit; the stage throttles the
 * route as a whole (resources.extensions.HttpApiStage).
 */
function eventsFor(apiAuth) {
  if (!MODES.includes(apiAuth)) {
    throw new Error(`apiAuth is "${apiAuth}": use iam (the default), jwt or both (--param="apiAuth=both"), see docs/api.md`);
  }
  const { ROUTES, JWT_ROUTE_PREFIX } = loadTable();
  const events = [];
  for (const { method, path, auth } of ROUTES) {
    if (auth === 'hookSecret') {
      events.push({ httpApi: { method, path } });
      continue;
    }
    events.push({ httpApi: { method, path, authorizer: apiAuth === 'jwt' ? JWT : IAM } });
    if (apiAuth === 'both') events.push({ httpApi: { method, path: `${JWT_ROUTE_PREFIX}${path}`, authorizer: JWT } });
  }
  return events;
}

/**
 * CORS for the dashboard's origin (the dashboardOrigin param), or none when it is empty: the page,
 * served by CloudFront, calls the API on API Gateway with a bearer token and conditional requests.
 */
function corsFor(dashboardOrigin) {
  if (!dashboardOrigin) return false;
  const origins = String(dashboardOrigin)
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new Error(`dashboardOrigin "${origin}" is not an origin: give scheme and host only, e.g. https://d111111abcdef8.cloudfront.net`);
    }
  }
  return {
    allowedOrigins: origins,
    allowedHeaders: ['authorization', 'content-type', 'if-none-match'],
    allowedMethods: ['GET', 'POST', 'PUT', 'DELETE'],
    exposedResponseHeaders: ['etag'],
    maxAge: 600,
  };
}

const httpEvents = async ({ resolveVariable }) => eventsFor(await resolveVariable('param:apiAuth'));
const httpApiCors = async ({ resolveVariable }) => corsFor(await resolveVariable('param:dashboardOrigin'));

module.exports = { httpEvents, httpApiCors, eventsFor, corsFor };
