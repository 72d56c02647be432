/**
 * What a bundled function can ask AWS to do, and whether an IAM role lets it.
 *
 * The bundles keep `@aws-sdk/*` external, so every SDK command a function can send shows up as a
 * named import in its bundle (`import{UpdateAliasCommand as x}from"@aws-sdk/client-lambda"`, even
 * minified). The package test reads those imports, maps each to the IAM actions AWS authorizes it
 * against, and checks them against the function's role in the packaged template.
 */

export interface SdkImport {
  module: string;
  name: string;
}

/** IAM service prefix per SDK client whose command names are the IAM action names. */
const SAME_NAME_SERVICES: Record<string, string> = {
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-cloudfront': 'cloudfront',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
};

/**
 * Commands whose IAM actions differ from their names (or need more than one action). Anything
 * from a client not in SAME_NAME_SERVICES must be listed here, or the check fails and says so.
 */
const EXCEPTIONS: Record<string, Record<string, string[]>> = {
  '@aws-sdk/client-s3': {
    // HeadObject is authorized as GetObject; with a VersionId both need GetObjectVersion. slipway
    // always pins the exact object version it was notified about, so assume a VersionId.
    HeadObjectCommand: ['s3:GetObject', 's3:GetObjectVersion'],
    GetObjectCommand: ['s3:GetObject', 's3:GetObjectVersion'],
    GetObjectAttributesCommand: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectAttributes', 's3:GetObjectVersionAttributes'],
    PutObjectCommand: ['s3:PutObject'],
    CopyObjectCommand: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
    DeleteObjectCommand: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
    DeleteObjectsCommand: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
    ListObjectsV2Command: ['s3:ListBucket'],
    ListObjectVersionsCommand: ['s3:ListBucketVersions'],
    HeadBucketCommand: ['s3:ListBucket'],
    GetObjectTaggingCommand: ['s3:GetObjectTagging', 's3:GetObjectVersionTagging'],
  },
  // The document client's commands are the table operations under other names.
  '@aws-sdk/lib-dynamodb': {
    GetCommand: ['dynamodb:GetItem'],
    PutCommand: ['dynamodb:PutItem'],
    UpdateCommand: ['dynamodb:UpdateItem'],
    DeleteCommand: ['dynamodb:DeleteItem'],
    QueryCommand: ['dynamodb:Query'],
    ScanCommand: ['dynamodb:Scan'],
    BatchGetCommand: ['dynamodb:BatchGetItem'],
    BatchWriteCommand: ['dynamodb:BatchWriteItem'],
    // Transactions have no IAM action of their own: each item is authorized as its operation.
    // The bundle does not say which operations a transaction carries, so require all of them.
    TransactGetCommand: ['dynamodb:GetItem'],
    TransactWriteCommand: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
    paginateQuery: ['dynamodb:Query'],
    paginateScan: ['dynamodb:Scan'],
  },
  '@aws-sdk/client-dynamodb': {
    TransactGetItemsCommand: ['dynamodb:GetItem'],
    TransactWriteItemsCommand: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
  },
  '@aws-sdk/client-lambda': {
    InvokeCommand: ['lambda:InvokeFunction'],
    InvokeWithResponseStreamCommand: ['lambda:InvokeFunction'],
    // slipway ships code from the artifact bucket: Lambda fetches the zip with the caller's rights.
    UpdateFunctionCodeCommand: ['lambda:UpdateFunctionCode', 's3:GetObject', 's3:GetObjectVersion'],
    // Waiters poll with these reads.
    waitUntilFunctionUpdated: ['lambda:GetFunctionConfiguration'],
    waitUntilFunctionUpdatedV2: ['lambda:GetFunction'],
    waitUntilFunctionActive: ['lambda:GetFunctionConfiguration'],
    waitUntilFunctionActiveV2: ['lambda:GetFunction'],
    waitUntilFunctionExists: ['lambda:GetFunction'],
    waitUntilPublishedVersionActive: ['lambda:GetFunctionConfiguration'],
    waitForFunctionUpdated: ['lambda:GetFunctionConfiguration'],
    waitForFunctionUpdatedV2: ['lambda:GetFunction'],
  },
  // A SecureString parameter or a secret under a customer-managed key is decrypted with the caller's kms:Decrypt (through the service).
  '@aws-sdk/client-ssm': {
    GetParameterCommand: ['ssm:GetParameter', 'kms:Decrypt'],
  },
  '@aws-sdk/client-secrets-manager': {
    GetSecretValueCommand: ['secretsmanager:GetSecretValue', 'kms:Decrypt'],
  },
  '@aws-sdk/client-cloudfront': {
    // The API reference lists what these need besides their own action.
    CopyDistributionCommand: ['cloudfront:CopyDistribution', 'cloudfront:GetDistribution', 'cloudfront:CreateDistribution'],
    UpdateDistributionWithStagingConfigCommand: [
      'cloudfront:UpdateDistributionWithStagingConfig',
      'cloudfront:GetDistribution',
      'cloudfront:UpdateDistribution',
    ],
    waitUntilInvalidationCompleted: ['cloudfront:GetInvalidation'],
    waitForInvalidationCompleted: ['cloudfront:GetInvalidation'],
  },
  '@aws-sdk/client-cloudwatch': {
    waitUntilAlarmExists: ['cloudwatch:DescribeAlarms'],
  },
  // A multipart upload: CreateMultipartUpload, UploadPart and CompleteMultipartUpload are all
  // authorized as PutObject; a failed upload is aborted.
  '@aws-sdk/lib-storage': {
    Upload: ['s3:PutObject', 's3:AbortMultipartUpload'],
  },
};

/** Import names that send nothing (clients, exceptions, types' runtime helpers). */
function sendsNothing(name: string): boolean {
  return !/Command$/.test(name) && !/^(paginate|waitUntil|waitFor)[A-Z]/.test(name);
}

/**
 * IAM actions a command (or paginator/waiter) of an SDK module needs; undefined when the module
 * or command is not known here (the caller reports it instead of guessing).
 */
export function iamActionsFor(module: string, name: string): string[] | undefined {
  const listed = EXCEPTIONS[module]?.[name];
  if (listed) return listed;
  if (sendsNothing(name)) return [];
  const service = SAME_NAME_SERVICES[module];
  if (!service) return undefined;
  const paginated = /^paginate([A-Z]\w*)$/.exec(name);
  if (paginated) return iamActionsFor(module, `${paginated[1]}Command`);
  const command = /^(\w+)Command$/.exec(name);
  if (command) return [`${service}:${command[1]}`];
  return undefined; // a waiter nobody listed: which reads it polls with must be written down
}

/** `a as b, c` → ['a', 'c']. */
function importedNames(clause: string): string[] {
  return clause
    .split(',')
    .map(
      (part) =>
        part
          .trim()
          .split(/\s+as\s+/)[0]
          ?.trim() ?? '',
    )
    .filter((name) => name.length > 0);
}

export interface BundleScan {
  imports: SdkImport[];
  /** SDK modules reached in a way that hides which commands are used (namespace, dynamic, require). */
  opaque: string[];
}

/** Finds every `@aws-sdk/*` import in (minified) ESM or CommonJS bundle text. */
export function scanSdkImports(bundle: string): BundleScan {
  const imports: SdkImport[] = [];
  const opaque: string[] = [];
  const named = /import\s*\{([^}]*)\}\s*from\s*["'](@aws-sdk\/[^"']+)["']/g;
  for (const match of bundle.matchAll(named)) {
    for (const name of importedNames(match[1] ?? '')) imports.push({ module: match[2] ?? '', name });
  }
  const namespace = /import\s*\*\s*as\s*[\w$]+\s*from\s*["'](@aws-sdk\/[^"']+)["']/g;
  for (const match of bundle.matchAll(namespace)) opaque.push(`import * from ${match[1]}`);
  const dynamic = /(?:import|require)\s*\(\s*["'](@aws-sdk\/[^"']+)["']\s*\)/g;
  for (const match of bundle.matchAll(dynamic)) opaque.push(`import()/require() of ${match[1]}`);
  return { imports, opaque };
}

/** A bundle's source map: what esbuild put in it, with each module's source text. */
export interface BundleSourceMap {
  sources: string[];
  sourcesContent?: (string | null)[];
}

/**
 * The bundles carry the SDK inside them, so its commands are no longer imports of the bundle. What
 * a function can send is what slipway's own modules in the bundle (after tree-shaking: the source
 * map lists only modules that contributed code) import from the SDK, read from their sources as
 * embedded in the map. The SDK's own internal commands (S3's CreateSession, DynamoDB's endpoint
 * discovery) are never sent by slipway's clients and are not counted.
 */
export function scanBundledSdkImports(map: BundleSourceMap): BundleScan {
  const own = map.sources
    .map((source, index) => ({ source, content: map.sourcesContent?.[index] ?? '' }))
    .filter(({ source }) => !/node_modules\//.test(source) && /\.(ts|mts|js|mjs)$/.test(source));
  if (own.length === 0) throw new Error("the source map lists none of slipway's own modules: was it built with sourcesContent?");
  const imports: SdkImport[] = [];
  const opaque: string[] = [];
  for (const { content } of own) {
    // TypeScript sources: drop type-only imports, which send nothing.
    const code = content.replace(/import\s+type\s*\{[^}]*\}\s*from\s*["'][^"']+["'];?/g, '');
    const scan = scanSdkImports(code.replace(/\{\s*type\s+[\w$]+\s*(,\s*type\s+[\w$]+\s*)*\}/g, '{}'));
    imports.push(...scan.imports.filter((i) => !/^type\s/.test(i.name)));
    opaque.push(...scan.opaque);
  }
  return { imports, opaque };
}

export interface RequiredActions {
  /** action → the imports that need it */
  actions: Map<string, string[]>;
  /** imports this file has no mapping for */
  unknown: string[];
  opaque: string[];
}

export function requiredActions(bundle: string | BundleSourceMap): RequiredActions {
  const { imports, opaque } = typeof bundle === 'string' ? scanSdkImports(bundle) : scanBundledSdkImports(bundle);
  const actions = new Map<string, string[]>();
  const unknown: string[] = [];
  for (const { module, name } of imports) {
    const needed = iamActionsFor(module, name);
    if (!needed) {
      unknown.push(`${module}#${name}`);
      continue;
    }
    for (const action of needed) actions.set(action, [...(actions.get(action) ?? []), `${module}#${name}`]);
  }
  return { actions, unknown, opaque };
}

// ---- IAM policy evaluation (just enough for Allow statements in our own template) ----------

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  Condition?: unknown;
}

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** IAM action matching: case-insensitive, `*` and `?` wildcards. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

/** The Allow statements granting the action (NotAction statements are not used here and never count). */
export function statementsAllowing(statements: PolicyStatement[], action: string): PolicyStatement[] {
  return statements.filter(
    (statement) =>
      statement.Effect === 'Allow' &&
      statement.NotAction === undefined &&
      statement.Resource !== undefined &&
      asList(statement.Action).some((pattern) => actionMatches(pattern, action)),
  );
}

/** Resources of a statement that are the bare `*`. */
export function isUnscoped(statement: PolicyStatement): boolean {
  return asList(statement.Resource).some((resource) => resource === '*');
}

/**
 * Actions that do not support resource-level permissions, so `Resource: "*"` is the only way to
 * grant them (Service Authorization Reference: no resource type for these actions).
 */
export const ACTIONS_WITHOUT_RESOURCE_SCOPE: readonly string[] = [
  // X-Ray tracing of the state machine (serverless-step-functions adds these for tracingConfig).
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  // Step Functions' vended log delivery to CloudWatch Logs (added for loggingConfig): the log
  // delivery APIs take no resource, as the Step Functions logging docs require.
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  // Reading metrics (deploy windows' traffic gate and suggestions, a bake's version evidence): GetMetricData has no resource type.
  'cloudwatch:GetMetricData',
  // DescribeAlarms has the alarm resource type, but answers with composite alarms only when it is
  // allowed on `*` (DescribeAlarms API reference): health checks judge composite alarms too.
  'cloudwatch:DescribeAlarms',
  // CloudFront continuous deployment (a site canary): creating and listing policies take no resource;
  // CopyDistribution makes its staging distribution with CreateDistribution, which takes none either.
  'cloudfront:CreateContinuousDeploymentPolicy',
  'cloudfront:ListContinuousDeploymentPolicies',
  'cloudfront:CreateDistribution',
];

/** Actions granted on `*` that could have been scoped. */
export function needlesslyUnscopedActions(statements: PolicyStatement[]): string[] {
  return statements
    .filter((statement) => statement.Effect === 'Allow' && isUnscoped(statement))
    .flatMap((statement) => asList(statement.Action).concat(asList(statement.NotAction)))
    .filter((action) => !ACTIONS_WITHOUT_RESOURCE_SCOPE.includes(action));
}

/**
 * What a statement granting an action of each service must be scoped to, as text its Resource
 * must mention (a logical id of our template, or the run-time pattern of targets).
 */
export const EXPECTED_RESOURCE_BY_SERVICE: Record<string, RegExp> = {
  dynamodb: /SlipwayTable/,
  // The artifact bucket's releases, or a site target's origin bucket (named at run time).
  s3: /ArtifactBucket\.Arn\}\/releases\/\*|"ArtifactBucket"|siteBucketArnPattern|:s3:::\*/,
  // The state machine by reference, or by its name where a reference would be a cycle (promoteDownstream, which the definition names).
  states: /DeployStateMachine|:stateMachine:slipway-[a-z0-9-]+-deploy"/,
  events: /EventBus/,
  lambda: /:function:/,
  cloudfront: /:distribution\/|:continuous-deployment-policy\//,
  cloudwatch: /:alarm:/,
  sqs: /IntakeQueue/,
  logs: /LogGroup/,
};

export interface RoleFinding {
  action: string;
  neededBy: string[];
  problem: 'not allowed' | 'allowed on an unexpected resource';
}

/** Checks a role's statements against what a bundle needs; empty when everything is granted. */
export function checkRole(statements: PolicyStatement[], needed: Map<string, string[]>): RoleFinding[] {
  const findings: RoleFinding[] = [];
  for (const [action, neededBy] of needed) {
    const allowing = statementsAllowing(statements, action);
    if (allowing.length === 0) {
      findings.push({ action, neededBy, problem: 'not allowed' });
      continue;
    }
    const expected = ACTIONS_WITHOUT_RESOURCE_SCOPE.includes(action) ? undefined : EXPECTED_RESOURCE_BY_SERVICE[action.split(':')[0] ?? ''];
    if (expected && !allowing.some((statement) => expected.test(JSON.stringify(statement.Resource)))) {
      findings.push({ action, neededBy, problem: 'allowed on an unexpected resource' });
    }
  }
  return findings;
}

/**
 * Granted actions nobody needs: neither the bundle's SDK calls nor `alsoNeeded` (what Lambda does
 * on the function's behalf: logs, event source polling). Wildcard actions always count as needless.
 */
export function unneededActions(statements: PolicyStatement[], needed: Map<string, string[]>, alsoNeeded: readonly string[]): string[] {
  const wanted = [...needed.keys(), ...alsoNeeded];
  return statements
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => asList(statement.Action))
    .filter((action) => /[*?]/.test(action) || !wanted.some((want) => actionMatches(action, want)));
}

/** All statements of an AWS::IAM::Role resource's inline policies. */
export function roleStatements(role: { Properties?: { Policies?: { PolicyDocument: { Statement: unknown } }[] } }): PolicyStatement[] {
  return (role.Properties?.Policies ?? []).flatMap((policy) => asList(policy.PolicyDocument.Statement as PolicyStatement | PolicyStatement[]));
}
