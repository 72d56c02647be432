/**
 * Packages the service offline (`serverless package --stage ci`) once and checks what would be
 * deployed: every resource and its security settings, cfn-lint, the state machine definition, and
 * that each function's role allows every AWS SDK command its bundle can send.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkRole,
  isUnscoped,
  needlesslyUnscopedActions,
  requiredActions,
  roleStatements,
  scanSdkImports,
  statementsAllowing,
  unneededActions,
  type BundleSourceMap,
  type PolicyStatement,
} from '../support/iam-actions.js';
import { COMPONENT_PACKAGE_PREFIX } from '../../shared/domain/artifact-key.js';
import { PERMANENT_ERRORS } from '../../shared/domain/errors.js';
import { STATUS_CHANGED_PATTERN } from '../../shared/domain/events.js';
import { PROBE_MAX_TIMEOUT_MS } from '../../shared/domain/target.js';
import { JWT_ROUTE_PREFIX, routeKey, ROUTES } from '../../shared/http/routes.js';
import { HOOK_DEADLINE_MS } from '../../shared/adapters/aws/lambda-hook-invoker.js';
import { CODE_UPDATE_WAIT_MS, VERSION_ACTIVE_WAIT_MS } from '../../shared/adapters/aws/lambda-version-publisher.js';
import { DEFAULT_RETRY_POLICY } from '../../shared/usecases/notify.js';
import { STAGING_PLAN_PREFIX } from '../../shared/usecases/site/plan-staging.js';
import { MAX_WAIT_DAYS } from '../../shared/domain/window.js';
import { readZip } from './zip.js';
import { packageService } from '../support/package-service.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const STAGE = 'ci';
/** The environment serverless.yml gives the functions, with made-up names: importing a bundle builds its handler. */
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  SLIPWAY_TABLE: 'slipway-ci',
  SLIPWAY_ARTIFACT_BUCKET: 'slipway-ci-artifacts',
  SLIPWAY_EVENT_BUS: 'slipway-ci',
  SLIPWAY_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:deploy-ci',
};

/** Template JSON, read loosely: the assertions say what shape they expect. */
type Json = Record<string, any>;

interface PackagedFunction {
  key: string;
  handler: string;
  resource: Json;
  logicalId: string;
  /** Where the zip is unpacked: the bundle needs nothing beside it (the SDK is inside). */
  unpackedEntry: string;
  bundle: string;
  sourceMap: BundleSourceMap;
  zipBytes: number;
  bundleBytes: number;
}

let outDir: string;
let templatePath: string;
let template: Json;
let resources: Record<string, Json>;
const functions = new Map<string, PackagedFunction>();

/** serverless naming: `acquire-lock_x` → `AcquireDashlockUnderscorex`. */
function normalizedName(key: string): string {
  const name = key.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function resourcesOfType(type: string): [string, Json][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

/**
 * A template's resources as CloudFormation would create them with its parameters' defaults: Refs
 * to parameters replaced by their values, Conditions evaluated, each Fn::If replaced by the branch
 * taken, AWS::NoValue dropped, Fn::Join and Fn::Split of literals done.
 */
function deployedResources(of: Json): Record<string, Json> {
  const parameters = (of.Parameters ?? {}) as Record<string, Json>;
  const conditions = (of.Conditions ?? {}) as Record<string, Json>;
  const holds = (expression: Json): boolean => {
    if ('Condition' in expression) return holds(conditions[expression.Condition as string]!);
    if ('Fn::Not' in expression) return !holds(expression['Fn::Not'][0]);
    if ('Fn::And' in expression) return (expression['Fn::And'] as Json[]).every(holds);
    if ('Fn::Or' in expression) return (expression['Fn::Or'] as Json[]).some(holds);
    const [a, b] = ((expression['Fn::Equals'] ?? []) as unknown[]).map(walk);
    if (typeof a !== 'string' || typeof b !== 'string') throw new Error(`cannot evaluate the condition ${JSON.stringify(expression)}`);
    return a === b;
  };
  const dropped = Symbol('AWS::NoValue');
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk).filter((item) => item !== dropped);
    if (!value || typeof value !== 'object') return value;
    const node = value as Json;
    if (node.Ref === 'AWS::NoValue') return dropped;
    const parameter = typeof node.Ref === 'string' ? parameters[node.Ref] : undefined;
    if (parameter) return parameter.Type === 'CommaDelimitedList' ? String(parameter.Default).split(',') : parameter.Default;
    if (Array.isArray(node['Fn::If'])) {
      const [name, yes, no] = node['Fn::If'] as [string, unknown, unknown];
      return walk(holds(conditions[name]!) ? yes : no);
    }
    const [separator, operand] = (node['Fn::Split'] ?? node['Fn::Join'] ?? []) as unknown[];
    const literal = walk(operand);
    if ('Fn::Split' in node && typeof separator === 'string' && typeof literal === 'string') return literal.split(separator);
    if ('Fn::Join' in node && typeof separator === 'string' && Array.isArray(literal) && literal.every((item) => typeof item === 'string'))
      return literal.join(separator);
    return Object.fromEntries(
      Object.entries(node)
        .map(([key, item]) => [key, walk(item)] as const)
        .filter(([, item]) => item !== dropped),
    );
  };
  return walk(of.Resources) as Record<string, Json>;
}

/** The KMS statements of each function's role, and whether the role reads and writes site buckets (`:s3:::` patterns). */
function siteKmsGrants(deployed: Record<string, Json>, keys: string[]) {
  return keys.map((key) => {
    const role = deployed[deployed[`${normalizedName(key)}LambdaFunction`]!.Properties.Role['Fn::GetAtt'][0] as string]!;
    const statements = roleStatements(role);
    const onSites = (action: string) => statementsAllowing(statements, action).some((statement) => JSON.stringify(statement.Resource).includes(':s3:::'));
    // Stage's kms:Decrypt through SSM/Secrets Manager (kms:ViaService) is for configuration secrets, not site objects.
    const kms = statements.filter(
      (statement) =>
        ([] as string[]).concat(statement.Action ?? []).some((action) => action.startsWith('kms:')) &&
        !JSON.stringify(statement.Condition ?? {}).includes('kms:ViaService'),
    );
    return { key, readsSites: onSites('s3:GetObject'), writesSites: onSites('s3:PutObject'), kms };
  });
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'slipway-package-'));
  packageService(root, STAGE, outDir);
  templatePath = join(outDir, 'cloudformation-template-update-stack.json');
  template = JSON.parse(readFileSync(templatePath, 'utf8')) as Json;
  resources = template.Resources as Record<string, Json>;

  const state = JSON.parse(readFileSync(join(outDir, 'serverless-state.json'), 'utf8')) as Json;
  for (const [key, fn] of Object.entries(state.service.functions as Record<string, Json>)) {
    const zipPath = join(outDir, `${key}.zip`);
    const files = await readZip(zipPath);
    const entry = [...files.keys()].find((name) => /\.(mjs|cjs|js)$/.test(name));
    if (!entry) throw new Error(`${key}.zip holds no JavaScript: ${[...files.keys()].join(', ')}`);
    const bundle = files.get(entry)!.toString('utf8');
    const map = files.get(`${entry}.map`);
    const unpacked = join(outDir, 'unpacked', key);
    for (const [name, content] of files) {
      mkdirSync(dirname(join(unpacked, name)), { recursive: true });
      writeFileSync(join(unpacked, name), content);
    }
    const logicalId = `${normalizedName(key)}LambdaFunction`;
    functions.set(key, {
      key,
      handler: fn.handler as string,
      resource: resources[logicalId]!,
      logicalId,
      unpackedEntry: join(unpacked, entry),
      bundle,
      sourceMap: map ? (JSON.parse(map.toString('utf8')) as BundleSourceMap) : { sources: [] },
      zipBytes: readFileSync(zipPath).length,
      bundleBytes: Buffer.byteLength(bundle),
    });
  }
}, 300_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Every route of the api function (the route table); all but the deploy hook route require IAM (or JWT) auth. */
const IAM_ROUTES = ROUTES.filter((route) => route.auth === 'iam').map(routeKey);
const HOOK_ROUTES = ROUTES.filter((route) => route.auth === 'hookSecret').map(routeKey);
const [HOOK_ROUTE] = HOOK_ROUTES as [string];

const STEP_FUNCTIONS = [
  'prepare',
  'acquireLock',
  'stage',
  'stageSiteChunk',
  'finishSiteStaging',
  'runHook',
  'shiftTraffic',
  'checkHealth',
  'invalidateCdn',
  'finalize',
  'rollback',
  'promoteDownstream',
];

describe('serverless package', () => {
  it('packages one zip per function, each with its own bundle', () => {
    // Assess
    expect([...functions.keys()].sort()).toEqual(['api', 'intake', 'notify', 'reconcile', ...STEP_FUNCTIONS].sort());
    for (const fn of functions.values()) {
      expect(fn.resource, fn.key).toBeDefined();
      expect(fn.bundle.length, fn.key).toBeGreaterThan(0);
    }
  });

  it('sends failed, timed-out and aborted executions of the state machine to the reconcile function', () => {
    // Assess
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
    const rule = rules.find((r) => JSON.stringify(r.Properties?.Targets ?? []).includes('ReconcileLambdaFunction'));
    expect(rule, 'an EventBridge rule targets the reconcile function').toBeDefined();
    expect(rule!.Properties.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: 'DeployStateMachine' }] },
    });
  });

  it("sends slipway's status changes on the stage's bus to the notify function", () => {
    // Assess
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
    const rule = rules.find((r) => JSON.stringify(r.Properties?.Targets ?? []).includes('NotifyLambdaFunction'));
    expect(rule, 'an EventBridge rule targets the notify function').toBeDefined();
    expect(rule!.Properties.EventPattern).toEqual(STATUS_CHANGED_PATTERN);
    expect(JSON.stringify(rule!.Properties.EventBusName)).toContain('EventBus');
  });

  it('lints clean with cfn-lint', () => {
    // Act
    // W3005 ("dependency already enforced by a GetAtt/Ref") comes from the DependsOn lists that
    // osls and serverless-step-functions write next to references; redundant, never wrong.
    const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', '--', templatePath], { encoding: 'utf8' });

    // Assess
    expect(lint.error, 'cfn-lint must be on PATH').toBeUndefined();
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    expect(lint.status).toBe(0);
  });
});

describe('resources', () => {
  it('keeps artifacts in a versioned, encrypted, private, TLS-only bucket', () => {
    // Assess
    const bucket = resources.ArtifactBucket!;
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toMatch(/^(AES256|aws:kms)$/);
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const [, policy] = resourcesOfType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket?.Ref === 'ArtifactBucket')!;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a JavaScript template
        Resource: [{ 'Fn::GetAtt': ['ArtifactBucket', 'Arn'] }, { 'Fn::Sub': '${ArtifactBucket.Arn}/*' }],
      }),
    );
  });

  it('notifies the intake queue of new release zips only, and only from this bucket', () => {
    // Assess
    const bucket = resources.ArtifactBucket!;
    expect(bucket.Properties.BucketName).toEqual({ 'Fn::Sub': `slipway-${STAGE}-artifacts-\${AWS::AccountId}` });
    expect(bucket.Properties.NotificationConfiguration.QueueConfigurations).toEqual([
      {
        Event: 's3:ObjectCreated:*',
        Queue: { 'Fn::GetAtt': ['IntakeQueue', 'Arn'] },
        Filter: {
          S3Key: {
            Rules: [
              { Name: 'prefix', Value: 'releases/' },
              { Name: 'suffix', Value: '.zip' },
            ],
          },
        },
      },
    ]);
    // S3 validates the destination when the notification is created.
    expect(bucket.DependsOn).toContain('IntakeQueuePolicy');
    const policy = resources.IntakeQueuePolicy!;
    expect(policy.Properties.Queues).toEqual([{ Ref: 'IntakeQueue' }]);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: {
          ArnEquals: { 'aws:SourceArn': { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::slipway-${STAGE}-artifacts-\${AWS::AccountId}` } },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      }),
    ]);
  });

  it('gives the intake queue a dead-letter queue and a visibility timeout of 6x the intake timeout', () => {
    // Assess
    const queue = resources.IntakeQueue!.Properties;
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['IntakeDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
    expect(resources.IntakeDeadLetterQueue!.Type).toBe('AWS::SQS::Queue');
    const intakeTimeout = functions.get('intake')!.resource.Properties.Timeout as number;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * intakeTimeout);
    const [, mapping] = resourcesOfType('AWS::Lambda::EventSourceMapping')[0]!;
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['IntakeQueue', 'Arn'] },
      FunctionName: { 'Fn::GetAtt': ['IntakeLambdaFunction', 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('stores state in one on-demand table with the byTarget and byTime indexes, point-in-time recovery and encryption', () => {
    // Assess
    const table = resources.SlipwayTable!;
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.Properties).toMatchObject({
      TableName: `slipway-${STAGE}`,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byTarget',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byTime',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(table.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
    );
  });

  it('has an event bus and the outputs a user needs', () => {
    // Assess
    expect(resources.EventBus).toMatchObject({ Type: 'AWS::Events::EventBus', Properties: { Name: `slipway-${STAGE}` } });
    expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'ArtifactBucketName', 'StateMachineArn', 'TableName', 'EventBusName']));
    expect(template.Outputs.StateMachineArn.Value).toEqual({ Ref: 'DeployStateMachine' });
  });

  it('requires IAM auth on every HTTP API route but the deploy hook route', () => {
    // Assess
    expect(HOOK_ROUTES).toHaveLength(1);
    const routes = resourcesOfType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
    expect(routes.map((route) => route.RouteKey).sort()).toEqual([...IAM_ROUTES, HOOK_ROUTE].sort());
    for (const route of routes) {
      if (route.RouteKey === HOOK_ROUTE) expect(route.AuthorizationType ?? 'NONE', route.RouteKey).toBe('NONE');
      else expect(route.AuthorizationType, route.RouteKey).toBe('AWS_IAM');
    }
    expect(resourcesOfType('AWS::ApiGatewayV2::Authorizer')).toEqual([]);
  });

  it('throttles the unauthenticated deploy hook route at the stage, after the route exists', () => {
    // Assess
    const stage = resources.HttpApiStage!;
    expect(stage.Properties.RouteSettings).toEqual({ [HOOK_ROUTE]: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } });
    const [routeId] = resourcesOfType('AWS::ApiGatewayV2::Route').find(([, route]) => route.Properties.RouteKey === HOOK_ROUTE)!;
    expect(stage.DependsOn).toContain(routeId);
  });
});

describe('functions', () => {
  it('run on Node.js 22 on arm64 with the service environment', () => {
    // Assess
    for (const fn of functions.values()) {
      const props = fn.resource.Properties;
      expect(props.Runtime, fn.key).toBe('nodejs22.x');
      expect(props.Architectures, fn.key).toEqual(['arm64']);
      const env = props.Environment.Variables;
      expect(env, fn.key).toMatchObject({
        SLIPWAY_TABLE: { Ref: 'SlipwayTable' },
        SLIPWAY_ARTIFACT_BUCKET: { Ref: 'ArtifactBucket' },
        SLIPWAY_EVENT_BUS: { Ref: 'EventBus' },
        POWERTOOLS_SERVICE_NAME: 'slipway',
        NODE_OPTIONS: '--enable-source-maps',
      });
      // Only the starters know the state machine (for a Task function it would be a cycle).
      if (fn.key === 'intake' || fn.key === 'api') expect(env.SLIPWAY_STATE_MACHINE_ARN).toEqual({ Ref: 'DeployStateMachine' });
      // PromoteDownstream starts promotions: the ARN by name, as a reference would be a cycle.
      else if (fn.key === 'promoteDownstream') expect(JSON.stringify(env.SLIPWAY_STATE_MACHINE_ARN)).toContain(`:stateMachine:slipway-${STAGE}-deploy`);
      else expect(env.SLIPWAY_STATE_MACHINE_ARN, fn.key).toBeUndefined();
    }
  });

  it('each have a role of their own', () => {
    // Assess
    expect(resources.IamRoleLambdaExecution).toBeUndefined();
    const roles = [...functions.values()].map((fn) => fn.resource.Properties.Role['Fn::GetAtt']?.[0] as string);
    expect(new Set(roles).size).toBe(functions.size);
    for (const role of roles) expect(resources[role]?.Type, role).toBe('AWS::IAM::Role');
  });

  it('bundle the AWS SDK they use, pinned, and import nothing from the runtime copy', () => {
    // Assess
    const lockedSdk = JSON.parse(readFileSync(join(root, 'node_modules', '@aws-sdk', 'client-dynamodb', 'package.json'), 'utf8')).version as string;
    for (const fn of functions.values()) {
      expect(scanSdkImports(fn.bundle).imports, `${fn.key} imports the SDK at run time`).toEqual([]);
      // The run-time requires left are the SDK's optional SigV4a signers, tried in a try/catch and
      // used only for multi-region access points, which slipway never calls.
      const runtimeRequires = [...fn.bundle.matchAll(/(?:from|import\(|require\()\s*["'](@aws-sdk\/[^"']+)["']/g)].map((m) => m[1]);
      expect([...new Set(runtimeRequires)].sort(), `${fn.key} requires the SDK at run time`).toEqual(['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a']);
      expect(
        fn.sourceMap.sources.some((source) => /node_modules\/@aws-sdk\/client-dynamodb\//.test(source)),
        `${fn.key} bundles the SDK`,
      ).toBe(true);
      // Every function talks to the table at least, through the SDK of package-lock.json.
      expect(requiredActions(fn.sourceMap).actions.size, `${fn.key} sends AWS requests`).toBeGreaterThan(0);
    }
    expect(lockedSdk).toMatch(/^3\.\d+\.\d+$/);
  });

  it('stay under 1 MB of code each (Lambda loads less on a cold start)', () => {
    // Assess: the goal is 1 MB. Two functions are over it (issue 9): the api (every route's
    // clients) and checkHealth since the canary verdict's special functions (@stdlib's incomplete
    // beta, about 145 KB minified) joined its S3, CloudFront and CloudWatch clients, and more since
    // synthetic traffic's Lambda client (InvokeCommand, about 80 KB: 1.10 MB in all).
    const allowance: Record<string, number> = { api: 1_150_000, checkHealth: 1_120_000 };
    for (const fn of functions.values()) expect(fn.bundleBytes, fn.key).toBeLessThan(allowance[fn.key] ?? 1_000_000);
  });

  it('keep the names of the errors Step Functions must not retry, in every bundle that can throw them', () => {
    // Step Functions matches Retry/Catch on error.name, and SlipwayError takes its name from the
    // class: minified without keepNames, DeploymentNotFoundError became "At" and was retried.
    const problems: string[] = [];
    const kept = new Set<string>();
    for (const fn of functions.values()) {
      const base = /([\w$]+)=class extends Error\{static\{[\w$]+\(this,"SlipwayError"\)\}/.exec(fn.bundle);
      if (!base) {
        if (fn.sourceMap.sources.some((source) => source.endsWith('shared/domain/errors.ts'))) problems.push(`${fn.key}: SlipwayError lost its name`);
        continue;
      }
      // Every subclass of SlipwayError (directly or through ValidationError and the like) in the
      // bundle registers its own name: esbuild's keepNames writes static{…(this,"Name")} into it.
      const subclass = /class extends ([\w$]+)\{/g;
      for (const match of fn.bundle.matchAll(subclass)) {
        const body = fn.bundle.slice(match.index, match.index + 800);
        const end = body.indexOf('class extends', 10);
        const named = /static\{[\w$]+\(this,"(\w+)"\)\}/.exec(end > 0 ? body.slice(0, end) : body);
        if (named) kept.add(`${fn.key}:${named[1]}`);
        else if (match[1] === base[1]) problems.push(`${fn.key}: a subclass of SlipwayError has no name: ${body.slice(0, 80)}`);
      }
    }
    expect(problems).toEqual([]);
    // The classes the workflow's Catch and the Rollback step name must be in the step bundles.
    for (const name of PERMANENT_ERRORS)
      expect(
        [...kept].some((entry) => entry.endsWith(`:${name}`)),
        `some bundle keeps ${name}`,
      ).toBe(true);
    for (const [fn, name] of [
      ['stage', 'DeploymentNotFoundError'],
      ['prepare', 'ArtifactRejectedError'],
      ['checkHealth', 'UnhealthyReleaseError'],
      ['runHook', 'HookFailedError'],
      ['api', 'TargetNotFoundError'],
    ]) {
      expect(kept.has(`${fn}:${name}`), `${fn} keeps ${name}`).toBe(true);
    }
  });

  it('load on Node.js 22 as ES modules and export a handler', () => {
    // Prepare: one process imports every bundle, as the Lambda runtime would on a cold start.
    const entries = [...functions.values()].map((fn) => [fn.key, pathToFileURL(fn.unpackedEntry).href]);
    const script = `
      const results = {};
      for (const [key, url] of ${JSON.stringify(entries)}) {
        try { results[key] = typeof (await import(url)).handler; } catch (error) { results[key] = String(error); }
      }
      process.stdout.write(JSON.stringify(results));`;

    // Act
    const run = spawnSync(process.execPath, ['--input-type=module', '--enable-source-maps', '-e', script], {
      encoding: 'utf8',
      // What serverless.yml gives every function (the api and intake also get the state machine's ARN).
      env: { ...process.env, ...LAMBDA_ENV },
    });

    // Assess
    expect(run.stderr).toBe('');
    expect(process.versions.node.split('.')[0]).toBe('22');
    expect(JSON.parse(run.stdout)).toEqual(Object.fromEntries([...functions.keys()].map((key) => [key, 'function'])));
  });

  it('serve GET /openapi.json from the api bundle: the document of docs/openapi.json', () => {
    // Prepare: the generator is imported on the route's first request, from the bundle.
    const url = pathToFileURL(functions.get('api')!.unpackedEntry).href;
    const event = {
      version: '2.0',
      routeKey: 'GET /openapi.json',
      rawPath: '/openapi.json',
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path: '/openapi.json' } },
    };
    const script = `
      const { handler } = await import(${JSON.stringify(url)});
      const context = { functionName: 'api', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 1000 };
      process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, context)));`;

    // Act
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, ...LAMBDA_ENV, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });

    // Assess
    expect(run.stderr).toBe('');
    const answer = JSON.parse(run.stdout) as { statusCode: number; headers: Record<string, string>; body: string };
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['Content-Type']).toBe('application/json');
    expect(answer.body).toBe(readFileSync(join(root, 'docs', 'openapi.json'), 'utf8'));
  });
});

describe('state machine', () => {
  /** The file's definition with Task functions named by their CloudFormation logical ids. */
  function expectedDefinition(): unknown {
    const source = JSON.parse(readFileSync(join(root, 'statemachine', 'deploy.asl.json'), 'utf8')) as unknown;
    return normalize(source, (value) => {
      const getAtt = (value as Json)['Fn::GetAtt'] as unknown;
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && functions.has(getAtt[0])) {
        return { 'Fn::GetAtt': [`${normalizedName(getAtt[0])}LambdaFunction`, getAtt[1]] };
      }
      return undefined;
    });
  }

  /** The template's DefinitionString with its Fn::Sub placeholders put back. */
  function packagedDefinition(): unknown {
    const definition = resources.DeployStateMachine!.Properties.DefinitionString;
    const [text, substitutions] = typeof definition === 'string' ? [definition, {}] : (definition['Fn::Sub'] as [string, Record<string, unknown>]);
    return normalize(JSON.parse(text) as unknown, (value) => {
      const placeholder = typeof value === 'string' ? /^\$\{(\w+)\}$/.exec(value) : null;
      return placeholder && placeholder[1]! in substitutions ? substitutions[placeholder[1]!] : undefined;
    });
  }

  /** Applies a replacement everywhere; drops `QueryLanguage: JSONPath` (the default, which the plugin writes on every state). */
  function normalize(value: unknown, replace: (value: unknown) => unknown): unknown {
    if (value === null) return null;
    const replaced = replace(value);
    if (replaced !== undefined) return replaced;
    if (Array.isArray(value)) return value.map((item) => normalize(item, replace));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([key, item]) => !(key === 'QueryLanguage' && item === 'JSONPath'))
          .map(([key, item]) => [key, normalize(item, replace)]),
      );
    }
    return value;
  }

  it('is statemachine/deploy.asl.json', () => {
    // Assess
    expect(resources.DeployStateMachine!.Properties.StateMachineName).toBe(`slipway-${STAGE}-deploy`);
    expect(packagedDefinition()).toEqual(expectedDefinition());
  });

  it('gives every function more time than the deadlines inside it, and every Task more time than its function', () => {
    // Prepare: the deadlines, from where the code defines them, and what each function does around them.
    const MARGIN_SECONDS = 10;
    const policy = DEFAULT_RETRY_POLICY;
    let notifyWaits = policy.attempts * policy.timeoutMs;
    for (let gap = 1; gap < policy.attempts; gap += 1) notifyWaits += Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (gap - 1));
    const deadlines: Record<string, [string, number][]> = {
      checkHealth: [['the longest probe (health.probe.timeoutMs)', PROBE_MAX_TIMEOUT_MS]],
      stage: [['the wait for UpdateFunctionCode to settle, then for the new version to be Active', CODE_UPDATE_WAIT_MS + VERSION_ACTIVE_WAIT_MS]],
      runHook: [["a hook's answer", HOOK_DEADLINE_MS]],
      notify: [['every webhook attempt and the pauses between them', notifyWaits]],
    };
    const timeoutOf = (key: string) => functions.get(key)!.resource.Properties.Timeout as number;
    const tasks: [string, Json][] = [];
    const collect = (states: Record<string, Json>) => {
      for (const [name, state] of Object.entries(states)) {
        if (state.Type === 'Task') tasks.push([name, state]);
        if (state.Type === 'Map') collect((state.ItemProcessor ?? state.Iterator).States);
        if (state.Type === 'Parallel') for (const branch of state.Branches as Json[]) collect(branch.States);
      }
    };
    collect((packagedDefinition() as Json).States);

    // Act
    const problems: string[] = [];
    for (const [key, inner] of Object.entries(deadlines)) {
      for (const [what, ms] of inner) {
        if (timeoutOf(key) < ms / 1000 + MARGIN_SECONDS)
          problems.push(`${key}: timeout ${timeoutOf(key)} s leaves less than ${MARGIN_SECONDS} s beyond ${what} (${ms / 1000} s)`);
      }
    }
    for (const [name, task] of tasks) {
      const logicalId = /"Fn::GetAtt":\["(\w+LambdaFunction)"/.exec(JSON.stringify(task))?.[1];
      const fn = [...functions.values()].find((candidate) => candidate.logicalId === logicalId);
      if (!fn) problems.push(`${name}: invokes no function of this service`);
      else if (!(task.TimeoutSeconds > timeoutOf(fn.key)))
        problems.push(`${name}: TimeoutSeconds ${task.TimeoutSeconds} does not exceed ${fn.key}'s timeout of ${timeoutOf(fn.key)} s`);
    }

    // Assess
    expect(tasks.length).toBeGreaterThanOrEqual(STEP_FUNCTIONS.length);
    expect(problems).toEqual([]);
  });

  it('logs errors to its own log group and is traced', () => {
    // Assess
    const props = resources.DeployStateMachine!.Properties;
    expect(props.LoggingConfiguration).toMatchObject({
      Level: 'ERROR',
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['DeployStateMachineLogGroup', 'Arn'] } } }],
    });
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('may invoke exactly the Task functions of its definition', () => {
    // Prepare
    const taskFunctions = new Set<string>();
    JSON.stringify(expectedDefinition(), (key, value: unknown) => {
      if (key === 'Fn::GetAtt' && Array.isArray(value)) taskFunctions.add(value[0] as string);
      return value;
    });
    const role = resources[resources.DeployStateMachine!.Properties.RoleArn['Fn::GetAtt'][0]]!;

    // Act
    const invoke = statementsAllowing(roleStatements(role), 'lambda:InvokeFunction');
    const invoked = new Set<string>();
    JSON.stringify(
      invoke.map((statement) => statement.Resource),
      (key, value: unknown) => {
        if (key === 'Fn::GetAtt' && Array.isArray(value)) invoked.add(value[0] as string);
        return value;
      },
    );

    // Assess
    expect([...taskFunctions].sort()).toEqual(STEP_FUNCTIONS.map((key) => `${normalizedName(key)}LambdaFunction`).sort());
    expect([...invoked].sort()).toEqual([...taskFunctions].sort());
    for (const statement of invoke) expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"|:function:\*/);
  });

  it('may read the staging plans in the artifact bucket, and no release or component package (the StageSite ItemReader)', () => {
    // Prepare
    const statements = roleStatements(resources[resources.DeployStateMachine!.Properties.RoleArn['Fn::GetAtt'][0]]!);
    // Act
    const reads = statementsAllowing(statements, 's3:GetObject');
    const denied = statements.filter((statement) => statement.Effect === 'Deny' && JSON.stringify(statement.Action).includes('s3:GetObject'));
    // Assess: the plugin scopes the read to the bucket the ItemReader names; the Deny takes releases/ and components/ out
    expect(reads.length).toBeGreaterThan(0);
    for (const statement of reads) {
      expect(JSON.stringify(statement.Resource)).toContain('{"Ref":"ArtifactBucket"}');
      expect(isUnscoped(statement)).toBe(false);
    }
    expect(JSON.stringify(denied.map((statement) => statement.Resource))).toBe(
      JSON.stringify([
        [
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['ArtifactBucket', 'Arn'] }, '/releases/*']] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['ArtifactBucket', 'Arn'] }, `/${COMPONENT_PACKAGE_PREFIX}*`]] },
        ],
      ]),
    );
    expect(JSON.stringify(statements)).not.toMatch(/s3:(PutObject|DeleteObject|ListBucket)/);
  });

  it('lets Prepare write staging plans under staging/ of the artifact bucket, which expire after the longest execution', () => {
    // Prepare
    const prepareRole = resources[functions.get('prepare')!.resource.Properties.Role['Fn::GetAtt'][0] as string]!;
    // Act
    const writes = statementsAllowing(roleStatements(prepareRole), 's3:PutObject');
    const rules = resources.ArtifactBucket!.Properties.LifecycleConfiguration.Rules as { Prefix: string; ExpirationInDays: number }[];
    // Assess
    expect(JSON.stringify(writes.map((statement) => statement.Resource))).toBe(
      JSON.stringify([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['ArtifactBucket', 'Arn'] }, `/${STAGING_PLAN_PREFIX}*`]] }]),
    );
    const expiry = rules.find((rule) => rule.Prefix === STAGING_PLAN_PREFIX);
    expect(expiry?.ExpirationInDays).toBeGreaterThan(MAX_WAIT_DAYS);
    expect(expiry?.ExpirationInDays).toBeGreaterThanOrEqual(366);
  });

  it('lets Stage write and read app component packages under components/ only, which expire after a week', () => {
    // Prepare
    const stageRole = resources[functions.get('stage')!.resource.Properties.Role['Fn::GetAtt'][0] as string]!;
    const components = JSON.stringify([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['ArtifactBucket', 'Arn'] }, `/${COMPONENT_PACKAGE_PREFIX}*`]] }]);
    // Act
    const writes = statementsAllowing(roleStatements(stageRole), 's3:PutObject');
    const reads = statementsAllowing(roleStatements(stageRole), 's3:GetObjectVersion');
    const rules = resources.ArtifactBucket!.Properties.LifecycleConfiguration.Rules as { Prefix: string; ExpirationInDays: number }[];
    // Assess
    expect(JSON.stringify(writes.map((statement) => statement.Resource))).toBe(components);
    expect(JSON.stringify(reads.map((statement) => statement.Resource))).toContain(components.slice(1, -1));
    expect(rules.find((rule) => rule.Prefix === COMPONENT_PACKAGE_PREFIX)?.ExpirationInDays).toBe(7);
  });

  it('may start child executions of itself only (the Distributed Map that stages sites)', () => {
    // Prepare
    const role = resources[resources.DeployStateMachine!.Properties.RoleArn['Fn::GetAtt'][0]]!;
    // Act
    const start = statementsAllowing(roleStatements(role), 'states:StartExecution');
    const stop = statementsAllowing(roleStatements(role), 'states:StopExecution');
    // Assess
    expect(JSON.stringify(start.map((statement) => statement.Resource))).toBe(
      JSON.stringify([[{ 'Fn::Sub': [`arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:slipway-${STAGE}-deploy`, {}] }]]),
    );
    expect(JSON.stringify(stop.map((statement) => statement.Resource))).toContain(`:execution:slipway-${STAGE}-deploy:*`);
  });
});

describe('IAM', () => {
  /** What Lambda does with the function's role on its behalf, not the function's code. */
  const LAMBDA_SERVICE_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
  const SQS_EVENT_SOURCE_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

  function roleOf(fn: PackagedFunction): { id: string; statements: PolicyStatement[] } {
    const id = fn.resource.Properties.Role['Fn::GetAtt'][0] as string;
    return { id, statements: roleStatements(resources[id]!) };
  }

  it('lets functions delete lock items and target items only, never deployment records', () => {
    // Act
    const deletes = [...functions.values()].flatMap((fn) => statementsAllowing(roleOf(fn).statements, 'dynamodb:DeleteItem'));
    // Assess
    expect(deletes.length).toBeGreaterThan(0);
    for (const statement of deletes) {
      const leading = JSON.stringify(statement.Condition);
      expect(leading, JSON.stringify(statement)).toMatch(/"dynamodb:LeadingKeys":\["(LOCK#\*|TARGETS)"\]/);
    }
  });

  it('lets every function send every AWS SDK command its bundle can send', () => {
    // Act
    const problems: string[] = [];
    for (const fn of functions.values()) {
      const needed = requiredActions(fn.sourceMap);
      for (const name of needed.unknown) problems.push(`${fn.key}: no IAM mapping for ${name} (add it to test/support/iam-actions.ts)`);
      for (const how of needed.opaque) problems.push(`${fn.key}: ${how} hides which commands are sent; import commands by name`);
      for (const finding of checkRole(roleOf(fn).statements, needed.actions)) {
        problems.push(`${fn.key}: ${finding.action} ${finding.problem} (needed by ${finding.neededBy.join(', ')})`);
      }
    }

    // Assess
    expect(problems).toEqual([]);
  });

  it('grants no function an action its bundle cannot use', () => {
    // Act
    const problems: string[] = [];
    for (const fn of functions.values()) {
      const unneeded = unneededActions(roleOf(fn).statements, requiredActions(fn.sourceMap).actions, [
        ...LAMBDA_SERVICE_ACTIONS,
        ...(fn.key === 'intake' ? SQS_EVENT_SOURCE_ACTIONS : []),
      ]);
      for (const action of unneeded) problems.push(`${fn.key}: ${action} is granted but no SDK call in the bundle needs it`);
    }

    // Assess
    expect(problems).toEqual([]);
  });

  it('finds the commands the functions send', () => {
    // Assess: a scan that finds nothing would pass the check above vacuously.
    const scanned = (key: string) => [...requiredActions(functions.get(key)!.sourceMap).actions.keys()];
    expect(scanned('shiftTraffic')).toContain('lambda:UpdateAlias');
    expect(scanned('intake')).toContain('states:StartExecution');
    expect(scanned('acquireLock').some((action) => action.startsWith('dynamodb:'))).toBe(true);
    // Presigning sends nothing, but the URL acts with the api role's s3:PutObject.
    expect(scanned('api')).toEqual(expect.arrayContaining(['s3:PutObject', 's3:ListBucket']));
  });

  it('flags a role that lacks an action its function needs', () => {
    // Prepare: the real shiftTraffic role without UpdateAlias.
    const fn = functions.get('shiftTraffic')!;
    const doctored = structuredClone(roleOf(fn).statements).map((statement) => ({
      ...statement,
      Action: ([] as string[]).concat(statement.Action ?? []).filter((action) => action !== 'lambda:UpdateAlias'),
    }));

    // Act
    const findings = checkRole(doctored, requiredActions(fn.sourceMap).actions);

    // Assess
    expect(findings).toContainEqual(expect.objectContaining({ action: 'lambda:UpdateAlias', problem: 'not allowed' }));
  });

  it('grants nothing on "*" that could be scoped', () => {
    // Assess
    for (const [id, role] of resourcesOfType('AWS::IAM::Role')) {
      expect(needlesslyUnscopedActions(roleStatements(role)), id).toEqual([]);
    }
  });

  it('lets each function write its own logs only', () => {
    // Assess
    for (const fn of functions.values()) {
      const logs = statementsAllowing(roleOf(fn).statements, 'logs:PutLogEvents');
      expect(
        logs.map((statement) => statement.Resource),
        fn.key,
      ).toEqual([{ 'Fn::GetAtt': [`${normalizedName(fn.key)}LogGroup`, 'Arn'] }]);
    }
  });

  it('lets checkHealth read composite alarms: DescribeAlarms on "*", as CloudWatch requires for them', () => {
    // Assess
    const { statements } = roleOf(functions.get('checkHealth')!);
    expect(statementsAllowing(statements, 'cloudwatch:DescribeAlarms').map((statement) => statement.Resource)).toEqual(['*']);
  });

  it('grants no KMS permission while no site key is named (siteKmsKeyArns)', () => {
    // Act
    const grants = siteKmsGrants(deployedResources(template), [...functions.keys()]);
    // Assess: the statements are there, behind the condition, and the condition is false.
    expect(template.Conditions?.HasSiteKmsKeys).toBeDefined();
    expect(template.Parameters?.SiteKmsKeyArns).toMatchObject({ Type: 'CommaDelimitedList', Default: '' });
    expect(JSON.stringify(resources)).toContain('HasSiteKmsKeys');
    expect(grants.filter((grant) => grant.kms.length > 0)).toEqual([]);
  });

  it('lets the intake function consume its queue', () => {
    // Assess
    const { statements } = roleOf(functions.get('intake')!);
    for (const action of SQS_EVENT_SOURCE_ACTIONS) {
      expect(
        statementsAllowing(statements, action).map((statement) => statement.Resource),
        action,
      ).toContainEqual({ 'Fn::GetAtt': ['IntakeQueue', 'Arn'] });
    }
  });
});

// One more packaging for every non-default param (each run costs a minute or two).
describe('with IAM and JWT routes (apiAuth=both), CORS for the dashboard (dashboardOrigin) and SSE-KMS site keys (siteKmsKeyArns)', () => {
  const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';
  const dashboardOrigin = 'https://d111111abcdef8.cloudfront.net';
  const siteKeys = [
    'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
  ];
  let jwtDir: string;
  let jwtTemplate: Json;
  let jwtResources: Record<string, Json>;

  beforeAll(() => {
    jwtDir = mkdtempSync(join(tmpdir(), 'slipway-package-jwt-'));
    packageService(root, STAGE, jwtDir, {
      apiAuth: 'both',
      jwtIssuerUrl: issuer,
      jwtAudience: 'slipway-cli',
      dashboardOrigin: dashboardOrigin,
      siteKmsKeyArns: siteKeys.join(','),
    });
    jwtTemplate = JSON.parse(readFileSync(join(jwtDir, 'cloudformation-template-update-stack.json'), 'utf8')) as Json;
    jwtResources = jwtTemplate.Resources;
  }, 300_000);

  it('lets the functions that read site buckets decrypt with exactly the named keys, and those that write generate data keys too', () => {
    // Act
    const grants = siteKmsGrants(deployedResources(jwtTemplate), [...functions.keys()]);
    // Assess
    expect(grants.filter((grant) => grant.writesSites).length).toBeGreaterThan(0);
    expect(grants.filter((grant) => grant.readsSites && !grant.writesSites).length).toBeGreaterThan(0);
    for (const grant of grants) {
      const expected = grant.writesSites
        ? [{ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: siteKeys }]
        : grant.readsSites
          ? [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: siteKeys }]
          : [];
      expect(grant.kms, grant.key).toEqual(expected);
    }
  });

  afterAll(() => {
    if (jwtDir) rmSync(jwtDir, { recursive: true, force: true });
  });

  it('keeps every route behind IAM for the CLI and serves it again under /jwt behind one JWT authorizer with the given issuer and audience', () => {
    // Assess
    const authorizers = Object.entries(jwtResources).filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: issuer, Audience: ['slipway-cli'] },
    });
    const routes = Object.values(jwtResources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties);
    const jwtRoutes = ROUTES.filter((route) => route.auth === 'iam').map((route) => `${route.method} ${JWT_ROUTE_PREFIX}${route.path}`);
    expect(routes.map((route) => route.RouteKey).sort()).toEqual([...IAM_ROUTES, ...jwtRoutes, HOOK_ROUTE].sort());
    for (const route of routes) {
      if (route.RouteKey === HOOK_ROUTE) expect(route.AuthorizationType, route.RouteKey).toBeUndefined();
      else if (jwtRoutes.includes(route.RouteKey))
        expect(route, route.RouteKey).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      else expect(route, route.RouteKey).toMatchObject({ AuthorizationType: 'AWS_IAM' });
    }
    expect(jwtTemplate.Outputs.DashboardApiUrl.Value).toEqual({
      'Fn::Sub': ['https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}${Prefix}', { Prefix: JWT_ROUTE_PREFIX }],
    });
  });

  it("answers CORS for the dashboard's origin only, with the headers it sends and the ETag it reads", () => {
    // Assess
    const [api] = Object.values(jwtResources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Api');
    expect(api?.Properties.CorsConfiguration).toEqual({
      AllowOrigins: [dashboardOrigin],
      AllowHeaders: ['authorization', 'content-type', 'if-none-match'],
      AllowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      ExposeHeaders: ['etag'],
      MaxAge: 600,
    });
    const [defaultApi] = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Api');
    expect(defaultApi).toBeDefined();
    expect(defaultApi?.Properties.CorsConfiguration).toBeUndefined();
  });

  it('lints clean with cfn-lint', () => {
    // Act
    const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', '--', join(jwtDir, 'cloudformation-template-update-stack.json')], { encoding: 'utf8' });
    // Assess
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    expect(lint.status).toBe(0);
  });
});
