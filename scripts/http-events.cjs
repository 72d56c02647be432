/**
 * The api function's http events, from the one route table (shared/http/routes.ts). serverless.yml
 * reads them with `events: ${file(./scripts/http-events.cjs):httpEvents}`.
 *
 * The Serverless Framework loads this file with require() and cannot load TypeScript: the table,
 * data only and without imports, is compiled here with esbuild (the one the bundles are built with).
 */
'use strict';

const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('esbuild');

const TABLE = join(__dirname, '..', 'shared', 'http', 'routes.ts');

/** @returns {{ ROUTES: ReadonlyArray<{ method: string; path: string; auth: 'iam' | 'hookSecret' }> }} */
function loadTable() {
  const { code } = transformSync(readFileSync(TABLE, 'utf8'), { loader: 'ts', format: 'cjs', sourcefile: TABLE });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', code)(module, module.exports, () => {
    throw new Error(`${TABLE} must stay data only: it imports something, which http-events.cjs cannot load`);
  });
  return module.exports;
}

/**
 * Every route but the hook route takes the authorizer of the apiAuth param (custom.apiAuthorizer:
 * IAM or the JWT authorizer). The hook route takes none: CI systems without AWS credentials call it
 * with the hook's secret, which the handler checks with a per-hook rate limit; the stage throttles
 * the route as a whole (resources.extensions.HttpApiStage).
 */
const AUTHORIZER = '${self:custom.apiAuthorizer.${param:apiAuth}}';

const httpEvents = loadTable().ROUTES.map(({ method, path, auth }) => ({
  httpApi: { method, path, ...(auth === 'hookSecret' ? {} : { authorizer: AUTHORIZER }) },
}));

module.exports = { httpEvents };
