// The dependency rule of slipway (CONTRIBUTING.md § Layout): imports point inward only,
//   domain ← ports ← usecases ← adapters | http ← handlers ← roots ← functions, dev, cli.
// `npm run depcheck` prints the violations; test/unit/architecture.test.ts runs the same
// rules inside `npm test`. Type-only imports count: a layer that names another's types
// depends on it just as much.
//
// A known exception is listed in the rule's `pathNot` with a comment saying why it is there
// and what removes it; do not widen a rule to make an import pass.

/** The AWS-facing packages: SDK clients and helpers, the signer, middy, Powertools, Lambda's event types. */
const AWS_PACKAGES = 'node_modules/(@aws-sdk|@smithy|@middy|@aws-lambda-powertools|@types/aws-lambda)/';
/** SDK clients and their helpers (the adapters' business), but not middy or Powertools. */
const AWS_SDK = 'node_modules/(@aws-sdk|@smithy)/';
/** The entry points and runtimes: nothing in shared/ may know them. */
const OUTSIDE_SHARED = '^(functions|roots|dev|cli|test|bench|scripts|examples)/';

/** `to` everything under shared/ except the given layers. */
const sharedExcept = (...layers) => ({ path: '^shared/', pathNot: `^shared/(${layers.join('|')})/` });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes the import order matter and the layers meaningless. Move the shared piece one layer in.',
      from: {},
      to: { circular: true },
    },

    // shared/domain: pure rules.
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment: 'shared/domain holds the pure rules; it imports nothing from ports, use cases, adapters, http or handlers.',
      from: { path: '^shared/domain/' },
      to: sharedExcept('domain'),
    },
    {
      name: 'domain-no-aws',
      severity: 'error',
      comment: 'shared/domain knows nothing of AWS: no SDK, middy, Powertools or Lambda event types.',
      from: { path: '^shared/domain/' },
      to: { path: AWS_PACKAGES },
    },

    // shared/ports: the interfaces the use cases need.
    {
      name: 'ports-import-only-domain',
      severity: 'error',
      comment: 'shared/ports declares interfaces in domain terms; it imports shared/domain only.',
      from: { path: '^shared/ports/' },
      to: sharedExcept('ports', 'domain'),
    },
    {
      name: 'ports-no-aws',
      severity: 'error',
      comment: 'A port is what a use case needs, not how AWS does it: no SDK, middy or Powertools types in shared/ports.',
      from: { path: '^shared/ports/' },
      to: { path: AWS_PACKAGES },
    },

    // shared/usecases: plain async functions of (deps, input).
    {
      name: 'usecases-import-only-domain-and-ports',
      severity: 'error',
      comment: 'A use case reaches the world through ports only: it imports shared/domain and shared/ports.',
      from: { path: '^shared/usecases/' },
      to: sharedExcept('usecases', 'domain', 'ports'),
    },
    {
      name: 'usecases-no-aws',
      severity: 'error',
      comment: 'A use case takes its AWS access as a port, so a test passes a fake: no SDK, middy or Powertools in shared/usecases.',
      from: { path: '^shared/usecases/' },
      to: { path: AWS_PACKAGES },
    },

    // shared/adapters: ports implemented with SDK clients.
    {
      name: 'adapters-import-only-domain-and-ports',
      severity: 'error',
      comment: 'An adapter implements a port with its SDK; it imports shared/domain and shared/ports (and its SDK), not use cases, http or handlers.',
      from: { path: '^shared/adapters/' },
      to: sharedExcept('adapters', 'domain', 'ports'),
    },

    // shared/http: the route table, request and answer schemas, problems.
    {
      name: 'http-imports-only-domain-ports-usecases',
      severity: 'error',
      comment: 'shared/http maps requests onto use cases; it imports shared/domain, shared/ports and shared/usecases, never an adapter.',
      from: { path: '^shared/http/' },
      to: sharedExcept('http', 'domain', 'ports', 'usecases'),
    },
    {
      name: 'http-no-aws-sdk',
      severity: 'error',
      comment: 'shared/http gets AWS through ports, so the contract modules the CLI imports carry no SDK client.',
      from: { path: '^shared/http/' },
      to: { path: AWS_SDK },
    },

    // shared/handlers: createXHandler(deps) → a middy handler.
    {
      name: 'handlers-import-no-adapters',
      severity: 'error',
      comment:
        'A handler factory takes every dependency as an argument; the roots build the adapters. It imports shared/domain, ports, usecases and http only.',
      from: { path: '^shared/handlers/' },
      to: sharedExcept('handlers', 'domain', 'ports', 'usecases', 'http'),
    },
    {
      name: 'handlers-no-aws-sdk',
      severity: 'error',
      comment: 'A handler factory constructs no SDK client (the roots do); middy and Powertools are its business.',
      from: { path: '^shared/handlers/' },
      to: { path: AWS_SDK },
    },

    // Nothing in shared/ knows who runs it.
    {
      name: 'shared-not-to-entry-points',
      severity: 'error',
      comment: 'shared/ is the core; functions/, roots/, dev/ and cli/ build on it, never the other way (and no test or bench code ships in it).',
      from: { path: '^shared/' },
      to: { path: OUTSIDE_SHARED },
    },

    // The entry points.
    {
      name: 'functions-import-only-roots',
      severity: 'error',
      comment: 'functions/<name>.ts is one line: export const handler = xHandler(lambdaRoot()) from roots/aws.ts.',
      from: { path: '^functions/' },
      to: { pathNot: '^roots/' },
    },
    {
      name: 'roots-import-only-shared',
      severity: 'error',
      comment: 'A composition root builds shared/ pieces; it does not reach into functions/, dev/, cli/ or tests.',
      from: { path: '^roots/' },
      to: { path: '^(functions|dev|cli|test|bench|scripts|examples)/' },
    },
    {
      name: 'dev-imports-only-roots-and-shared',
      severity: 'error',
      comment: 'dev/ is the local runtime: it builds roots/ and shared/ pieces, and knows nothing of functions/, cli/ or tests.',
      from: { path: '^dev/' },
      to: { path: '^(functions|cli|test|bench|scripts|examples)/' },
    },
    {
      name: 'cli-imports-only-contracts',
      severity: 'error',
      comment:
        'The CLI talks to the API over HTTP: it imports the contracts (shared/domain, shared/http) and nothing that runs the service. ' +
        'Only cli/dev.ts, which starts `slipway dev`, imports dev/.',
      from: { path: '^cli/' },
      to: { path: '^(shared/(ports|usecases|adapters|handlers)|functions|roots|test|bench|scripts|examples)/' },
    },
    {
      name: 'cli-dev-only-from-cli-dev',
      severity: 'error',
      comment: 'Only cli/dev.ts starts the local runtime; the rest of the CLI is a client of the API.',
      from: { path: '^cli/', pathNot: '^cli/dev[.]ts$' },
      to: { path: '^dev/' },
    },

    // What ships.
    {
      name: 'shipped-code-no-dev-dependencies',
      severity: 'error',
      comment: 'functions/, roots/ and shared/ are bundled into the Lambda functions; a devDependency there is missing in production.',
      from: { path: '^(functions|roots|shared)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-is-an-api-client',
      severity: 'error',
      comment: 'The dashboard (web/) reads and acts only through the public HTTPS API, like the CLI: it imports nothing of the service.',
      from: { path: '^web/' },
      to: { path: '^(shared|functions|roots|dev|cli)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing: a typo, or a package missing from package.json.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^([.]serverless|[.]esbuild|coverage|[.]slipway)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
