/**
 * From an HTTP request an SDK client sent to what IAM authorizes: the operation, and for each
 * authorization AWS makes, the action, the resource ARN and the condition keys it carries.
 *
 * The operation comes from the wire: `X-Amz-Target` for the JSON protocols (DynamoDB, Step
 * Functions, EventBridge, CloudWatch, SQS, SSM, Secrets Manager), `Action=` for the Query protocol, and the REST path
 * for S3 (path-style and virtual-hosted), Lambda and CloudFront. The signing service in the SigV4
 * credential scope says which service a REST request is for.
 *
 * Every operation slipway's functions send is mapped (the adapters under shared/adapters/aws).
 * Others come back `mapped: false`: from a function, the proxy fails the run naming them, so a new
 * call cannot reach AWS unevaluated.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AttributeValue } from './service-limits.js';

export const ACCOUNT_ID = '123456789012'; // moto's default account, for every key that is not 12 digits

export interface Authorization {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
  /** Why AWS makes this check, when it is not the operation's own action. */
  note?: string;
  /** The resource's own policy, where AWS requires one to allow too (a KMS key policy). */
  resourcePolicy?: Record<string, unknown>;
}

/** Names of the resources a request touches: the proxy binds the template's resources to them. */
export interface ResourceNames {
  tables: string[];
  buckets: string[];
  buses: string[];
  queues: string[];
  stateMachines: string[];
}

export interface Operation {
  service: string;
  name: string;
  mapped: boolean;
  authorizations: Authorization[];
  names: ResourceNames;
  /** The parsed JSON body of a JSON-protocol request. */
  json?: Record<string, unknown>;
  /** S3: the bucket and key, for the missing-key rule. */
  s3?: { bucket: string; key?: string };
}

export interface RequestFacts {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body?: Buffer;
  region: string;
  /** The SigV4 signing service (credential scope), when the request is signed. */
  signingService?: string;
}

export interface KeySchema {
  hash: string;
  range?: string;
}

/** DynamoDB key schemas: the table's and each index's (the proxy asks moto once per table). */
export interface TableShapes {
  keys(table: string, index?: string): Promise<KeySchema | undefined>;
}

const emptyNames = (): ResourceNames => ({ tables: [], buckets: [], buses: [], queues: [], stateMachines: [] });

const TARGET_SERVICES: Record<string, string> = {
  DynamoDB_20120810: 'dynamodb',
  AWSStepFunctions: 'states',
  AWSEvents: 'events',
  GraniteServiceVersion20100801: 'cloudwatch',
  AmazonSQS: 'sqs',
  AmazonSSM: 'ssm',
  secretsmanager: 'secretsmanager',
};

export async function classify(request: RequestFacts, tables: TableShapes): Promise<Operation> {
  const target = header(request.headers, 'x-amz-target');
  if (target) {
    const [prefix = '', name = ''] = target.split('.');
    const service = TARGET_SERVICES[prefix] ?? request.signingService ?? prefix;
    const json = parseJson(request.body);
    return jsonOperation(service, name, json, request.region, tables);
  }
  const form = formAction(request);
  if (form) return { service: request.signingService ?? 'unknown', name: form, mapped: false, authorizations: [], names: emptyNames() };
  switch (request.signingService) {
    case 's3':
      return s3Operation(request);
    case 'lambda':
      return lambdaOperation(request);
    case 'cloudfront':
      return cloudFrontOperation(request);
    default:
      return {
        service: request.signingService ?? 'unknown',
        name: `${request.method} ${request.path}`,
        mapped: false,
        authorizations: [],
        names: emptyNames(),
      };
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(body: Buffer | undefined): Record<string, unknown> {
  if (!body || body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function formAction(request: RequestFacts): string | undefined {
  const type = header(request.headers, 'content-type') ?? '';
  if (request.method === 'POST' && type.startsWith('application/x-www-form-urlencoded') && request.signingService !== 's3') {
    return new URLSearchParams(request.body?.toString('utf8') ?? '').get('Action') ?? undefined;
  }
  return request.query.get('Action') ?? undefined;
}

// ---- JSON protocols ------------------------------------------------------------------------

async function jsonOperation(service: string, name: string, json: Record<string, unknown>, region: string, tables: TableShapes): Promise<Operation> {
  const op: Operation = { service, name, mapped: true, authorizations: [], names: emptyNames(), json };
  const allow = (action: string, resource: string, context: Authorization['context'] = {}) => op.authorizations.push({ action, resource, context });
  switch (`${service}:${name}`) {
    case 'dynamodb:GetItem':
    case 'dynamodb:PutItem':
    case 'dynamodb:UpdateItem':
    case 'dynamodb:DeleteItem': {
      const table = String(json.TableName ?? '');
      op.names.tables.push(table);
      const key = (name === 'PutItem' ? json.Item : json.Key) as Record<string, AttributeValue> | undefined;
      allow(`dynamodb:${name}`, tableArn(region, table), await leadingKeys(tables, table, undefined, key));
      return op;
    }
    case 'dynamodb:Query': {
      const table = String(json.TableName ?? '');
      const index = typeof json.IndexName === 'string' ? json.IndexName : undefined;
      op.names.tables.push(table);
      const schema = await tables.keys(table, index);
      const value = schema ? queriedPartition(json, schema.hash) : undefined;
      allow('dynamodb:Query', tableArn(region, table, index), value === undefined ? {} : { 'dynamodb:LeadingKeys': [value] });
      return op;
    }
    case 'dynamodb:Scan': {
      const table = String(json.TableName ?? '');
      op.names.tables.push(table);
      allow('dynamodb:Scan', tableArn(region, table, typeof json.IndexName === 'string' ? json.IndexName : undefined));
      return op;
    }
    case 'dynamodb:BatchGetItem':
    case 'dynamodb:BatchWriteItem': {
      const items = (json.RequestItems ?? {}) as Record<string, unknown>;
      for (const table of Object.keys(items)) {
        op.names.tables.push(table);
        allow(`dynamodb:${name}`, tableArn(region, table));
      }
      return op;
    }
    case 'dynamodb:TransactWriteItems':
    case 'dynamodb:TransactGetItems': {
      // A transaction is authorized item by item, each as its own operation.
      const actions: Record<string, string> = {
        Put: 'PutItem',
        Update: 'UpdateItem',
        Delete: 'DeleteItem',
        ConditionCheck: 'ConditionCheckItem',
        Get: 'GetItem',
      };
      for (const entry of (json.TransactItems ?? []) as Record<string, Record<string, unknown>>[]) {
        for (const [kind, item] of Object.entries(entry)) {
          const table = String(item.TableName ?? '');
          op.names.tables.push(table);
          const key = (kind === 'Put' ? item.Item : item.Key) as Record<string, AttributeValue> | undefined;
          allow(`dynamodb:${actions[kind] ?? kind}`, tableArn(region, table), await leadingKeys(tables, table, undefined, key));
        }
      }
      return op;
    }
    case 'states:StartExecution': {
      const machine = String(json.stateMachineArn ?? '');
      op.names.stateMachines.push(machine);
      allow('states:StartExecution', machine);
      return op;
    }
    case 'events:PutEvents': {
      const buses = new Set<string>();
      for (const entry of (json.Entries ?? []) as { EventBusName?: string }[]) buses.add(entry.EventBusName || 'default');
      for (const bus of buses) {
        const arn = bus.startsWith('arn:') ? bus : `arn:aws:events:${region}:${ACCOUNT_ID}:event-bus/${bus}`;
        op.names.buses.push(arn.slice(arn.indexOf('event-bus/') + 'event-bus/'.length));
        allow('events:PutEvents', arn);
      }
      return op;
    }
    case 'cloudwatch:DescribeAlarms': {
      const names = (json.AlarmNames ?? []) as string[];
      if (names.length === 0) allow('cloudwatch:DescribeAlarms', alarmArn(region, '*'));
      for (const alarm of names) allow('cloudwatch:DescribeAlarms', alarmArn(region, alarm));
      return op;
    }
    case 'cloudwatch:GetMetricData':
    case 'cloudwatch:PutMetricData':
      allow(`cloudwatch:${name}`, '*');
      return op;
    case 'cloudwatch:PutMetricAlarm':
    case 'cloudwatch:SetAlarmState':
      allow(`cloudwatch:${name}`, alarmArn(region, String(json.AlarmName ?? '')));
      return op;
    case 'sqs:ReceiveMessage':
    case 'sqs:DeleteMessage':
    case 'sqs:DeleteMessageBatch':
    case 'sqs:GetQueueAttributes':
    case 'sqs:SendMessage':
    case 'sqs:SendMessageBatch': {
      const queue =
        String(json.QueueUrl ?? '')
          .split('/')
          .pop() ?? '';
      op.names.queues.push(queue);
      // Batch operations are authorized as their single-message actions.
      const action = name.replace(/Batch$/, '');
      allow(`sqs:${action}`, `arn:aws:sqs:${region}:${ACCOUNT_ID}:${queue}`);
      return op;
    }
    case 'ssm:GetParameter': {
      // A parameter's ARN drops the name's leading slash: /prod/db → parameter/prod/db.
      const parameter = String(json.Name ?? '').replace(/^\//, '');
      allow('ssm:GetParameter', `arn:aws:ssm:${region}:${ACCOUNT_ID}:parameter/${parameter}`);
      if (json.WithDecryption) decryptVia(op, 'ssm', region);
      return op;
    }
    case 'secretsmanager:GetSecretValue': {
      const id = String(json.SecretId ?? '');
      // A secret's ARN ends in six random characters AWS adds to its name; any stand for them here.
      allow('secretsmanager:GetSecretValue', id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${region}:${ACCOUNT_ID}:secret:${id}-AbCdEf`);
      decryptVia(op, 'secretsmanager', region);
      return op;
    }
    default:
      return { ...op, mapped: false };
  }
}

/**
 * A SecureString or a secret under a customer-managed key: the service calls KMS with the caller's
 * rights, kms:ViaService naming it. Which key it is the request does not say; any key of the account stands for it.
 */
function decryptVia(op: Operation, service: 'ssm' | 'secretsmanager', region: string): void {
  op.authorizations.push({
    action: 'kms:Decrypt',
    resource: `arn:aws:kms:${region}:${ACCOUNT_ID}:key/00000000-0000-0000-0000-000000000000`,
    context: { 'kms:ViaService': `${service}.${region}.amazonaws.com` },
    // KMS needs the key policy to allow too: the default key policy, which leaves it to IAM.
    resourcePolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'kms:*', Resource: '*' }],
    },
    note: `${service} decrypts the value with the caller's kms:Decrypt (customer-managed keys)`,
  });
}

function tableArn(region: string, table: string, index?: string): string {
  const arn = table.startsWith('arn:') ? table : `arn:aws:dynamodb:${region}:${ACCOUNT_ID}:table/${table}`;
  return index ? `${arn}/index/${index}` : arn;
}

function alarmArn(region: string, name: string): string {
  return `arn:aws:cloudwatch:${region}:${ACCOUNT_ID}:alarm:${name}`;
}

function scalar(value: AttributeValue | undefined): string | undefined {
  if (!value) return undefined;
  const inner = value.S ?? value.N ?? value.B;
  return inner === undefined ? undefined : String(inner);
}

/** dynamodb:LeadingKeys: the partition key value of the item the request names. */
async function leadingKeys(
  tables: TableShapes,
  table: string,
  index: string | undefined,
  key: Record<string, AttributeValue> | undefined,
): Promise<Authorization['context']> {
  const schema = await tables.keys(table, index);
  const value = schema && key ? scalar(key[schema.hash]) : undefined;
  return value === undefined ? {} : { 'dynamodb:LeadingKeys': [value] };
}

/** The partition value a Query's KeyConditionExpression fixes (`pk = :pk`, `#p = :p`). */
function queriedPartition(json: Record<string, unknown>, hash: string): string | undefined {
  const expression = String(json.KeyConditionExpression ?? '');
  const names = (json.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (json.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>;
  for (const match of expression.matchAll(/(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)/g)) {
    const attribute = match[1]!.startsWith('#') ? names[match[1]!] : match[1];
    if (attribute === hash) return scalar(values[match[2]!]);
  }
  // The legacy KeyConditions form.
  const conditions = (json.KeyConditions ?? {}) as Record<string, { AttributeValueList?: AttributeValue[] }>;
  return scalar(conditions[hash]?.AttributeValueList?.[0]);
}

// ---- S3 ------------------------------------------------------------------------------------

/** The bucket and key of an S3 request, path-style (`/bucket/key`) or virtual-hosted (`bucket.host`). */
export function s3Location(path: string, hostHeader: string | undefined): { bucket?: string; key?: string } {
  const host = (hostHeader ?? '').replace(/:\d+$/, '');
  const isIp = /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
  const virtual = !isIp && host !== 'localhost' && host.includes('.') ? host.split(/\.s3[.-]|\.localhost$|\.127\.0\.0\.1$/)[0] : undefined;
  const segments = path.split('/').slice(1);
  if (virtual && virtual !== host) {
    const key = segments.map(decodeURIComponent).join('/');
    return { bucket: virtual, ...(key ? { key } : {}) };
  }
  const [bucket, ...rest] = segments;
  const key = rest.map(decodeURIComponent).join('/');
  return { ...(bucket ? { bucket: decodeURIComponent(bucket) } : {}), ...(key ? { key } : {}) };
}

function s3Operation(request: RequestFacts): Operation {
  const { bucket, key } = s3Location(request.path, header(request.headers, 'host'));
  const q = request.query;
  const op: Operation = {
    service: 's3',
    name: '',
    mapped: true,
    authorizations: [],
    names: emptyNames(),
    ...(bucket ? { s3: { bucket, ...(key ? { key } : {}) } } : {}),
  };
  const allow = (action: string, resource: string, context: Authorization['context'] = {}) => op.authorizations.push({ action, resource, context });
  const named = (name: string) => {
    op.name = name;
    return op;
  };
  if (!bucket) {
    allow('s3:ListAllMyBuckets', '*');
    return named('ListBuckets');
  }
  op.names.buckets.push(bucket);
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const objectArn = `${bucketArn}/${key ?? ''}`;
  const versioned = q.has('versionId');
  const m = request.method;
  if (key === undefined) {
    if (m === 'GET' && q.get('list-type') === '2') {
      allow('s3:ListBucket', bucketArn, listContext(q));
      return named('ListObjectsV2');
    }
    if (m === 'GET' && q.has('versions')) {
      allow('s3:ListBucketVersions', bucketArn, listContext(q));
      return named('ListObjectVersions');
    }
    if (m === 'GET' && [...q.keys()].every((k) => ['prefix', 'delimiter', 'marker', 'max-keys', 'encoding-type'].includes(k))) {
      allow('s3:ListBucket', bucketArn, listContext(q));
      return named('ListObjects');
    }
    if (m === 'HEAD') {
      allow('s3:ListBucket', bucketArn);
      return named('HeadBucket');
    }
    if (m === 'POST' && q.has('delete')) {
      // DeleteObjects is authorized object by object.
      for (const object of deletedObjects(request.body)) {
        allow(object.versionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject', `${bucketArn}/${object.key}`);
      }
      return named('DeleteObjects');
    }
    if (m === 'PUT' && q.has('notification')) {
      allow('s3:PutBucketNotification', bucketArn);
      return named('PutBucketNotificationConfiguration');
    }
    if (m === 'PUT' && q.has('versioning')) {
      allow('s3:PutBucketVersioning', bucketArn);
      return named('PutBucketVersioning');
    }
    if (m === 'PUT' && q.size === 0) {
      allow('s3:CreateBucket', bucketArn);
      return named('CreateBucket');
    }
    return { ...named(`${m} bucket ?${[...q.keys()].join('&')}`), mapped: false };
  }
  if ((m === 'GET' || m === 'HEAD') && q.has('uploadId')) {
    allow('s3:ListMultipartUploadParts', objectArn);
    return named('ListParts');
  }
  if (m === 'GET' && q.has('attributes')) {
    allow(versioned ? 's3:GetObjectVersionAttributes' : 's3:GetObjectAttributes', objectArn);
    return named('GetObjectAttributes');
  }
  if (m === 'GET' && q.has('tagging')) {
    allow(versioned ? 's3:GetObjectVersionTagging' : 's3:GetObjectTagging', objectArn);
    return named('GetObjectTagging');
  }
  if (m === 'GET' || m === 'HEAD') {
    allow(versioned ? 's3:GetObjectVersion' : 's3:GetObject', objectArn);
    return named(m === 'GET' ? 'GetObject' : 'HeadObject');
  }
  const copySource = header(request.headers, 'x-amz-copy-source');
  if (m === 'PUT') {
    allow('s3:PutObject', objectArn);
    if (copySource) {
      const source = parseCopySource(copySource);
      op.names.buckets.push(source.bucket);
      allow(source.versionId ? 's3:GetObjectVersion' : 's3:GetObject', `arn:aws:s3:::${source.bucket}/${source.key}`, {});
      op.authorizations.at(-1)!.note = 'the copy source';
    }
    if (q.has('uploadId')) return named(copySource ? 'UploadPartCopy' : 'UploadPart');
    return named(copySource ? 'CopyObject' : 'PutObject');
  }
  if (m === 'POST' && q.has('uploads')) {
    allow('s3:PutObject', objectArn);
    return named('CreateMultipartUpload');
  }
  if (m === 'POST' && q.has('uploadId')) {
    allow('s3:PutObject', objectArn);
    return named('CompleteMultipartUpload');
  }
  if (m === 'DELETE' && q.has('uploadId')) {
    allow('s3:AbortMultipartUpload', objectArn);
    return named('AbortMultipartUpload');
  }
  if (m === 'DELETE') {
    allow(versioned ? 's3:DeleteObjectVersion' : 's3:DeleteObject', objectArn);
    return named('DeleteObject');
  }
  return { ...named(`${m} object ?${[...q.keys()].join('&')}`), mapped: false };
}

function listContext(q: URLSearchParams): Authorization['context'] {
  const context: Authorization['context'] = {};
  if (q.has('prefix')) context['s3:prefix'] = q.get('prefix')!;
  if (q.has('delimiter')) context['s3:delimiter'] = q.get('delimiter')!;
  if (q.has('max-keys')) context['s3:max-keys'] = q.get('max-keys')!;
  return context;
}

function xmlText(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&amp;/g, '&');
}

function deletedObjects(body: Buffer | undefined): { key: string; versionId?: string }[] {
  const xml = body?.toString('utf8') ?? '';
  return [...xml.matchAll(/<Object>([\s\S]*?)<\/Object>/g)].map((m) => {
    const key = xmlText(/<Key>([\s\S]*?)<\/Key>/.exec(m[1]!)?.[1] ?? '');
    const versionId = /<VersionId>([\s\S]*?)<\/VersionId>/.exec(m[1]!)?.[1];
    return { key, ...(versionId ? { versionId: xmlText(versionId) } : {}) };
  });
}

function parseCopySource(value: string): { bucket: string; key: string; versionId?: string } {
  const [path = '', query = ''] = value.split('?');
  const decoded = decodeURIComponent(path).replace(/^\//, '');
  const slash = decoded.indexOf('/');
  const versionId = new URLSearchParams(query).get('versionId') ?? undefined;
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), ...(versionId ? { versionId } : {}) };
}

// ---- Lambda --------------------------------------------------------------------------------

function lambdaOperation(request: RequestFacts): Operation {
  const op: Operation = { service: 'lambda', name: '', mapped: true, authorizations: [], names: emptyNames() };
  const match = /^\/(\d{4}-\d{2}-\d{2})\/functions(?:\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?)?\/?$/.exec(request.path);
  if (!match) return { ...op, name: `${request.method} ${request.path}`, mapped: false };
  const [, , rawName, sub, subId] = match;
  const m = request.method;
  const qualifier = request.query.get('Qualifier') ?? undefined;
  const fn = rawName ? functionArn(decodeURIComponent(rawName), request.region) : '';
  const qualified = (q: string | undefined) => (q && fn.split(':').length === 7 ? `${fn}:${q}` : fn);
  const allow = (name: string, action: string, resource: string) => {
    op.name = name;
    op.authorizations.push({ action, resource, context: {} });
    return op;
  };
  if (!rawName) {
    if (m === 'POST') return allow('CreateFunction', 'lambda:CreateFunction', functionArn(String(parseJson(request.body).FunctionName ?? ''), request.region));
    return allow('ListFunctions', 'lambda:ListFunctions', '*');
  }
  const key = `${m} ${sub ?? ''}${subId !== undefined ? '/id' : ''}`;
  switch (key) {
    case 'GET aliases/id':
      return allow('GetAlias', 'lambda:GetAlias', fn);
    case 'PUT aliases/id':
      return allow('UpdateAlias', 'lambda:UpdateAlias', fn);
    case 'DELETE aliases/id':
      return allow('DeleteAlias', 'lambda:DeleteAlias', fn);
    case 'POST aliases':
      return allow('CreateAlias', 'lambda:CreateAlias', fn);
    case 'GET aliases':
      return allow('ListAliases', 'lambda:ListAliases', fn);
    case 'GET versions':
      return allow('ListVersionsByFunction', 'lambda:ListVersionsByFunction', fn);
    case 'POST versions':
      return allow('PublishVersion', 'lambda:PublishVersion', fn);
    case 'GET configuration':
      return allow('GetFunctionConfiguration', 'lambda:GetFunctionConfiguration', qualified(qualifier));
    case 'PUT configuration':
      return allow('UpdateFunctionConfiguration', 'lambda:UpdateFunctionConfiguration', fn);
    case 'POST invocations':
      return allow('Invoke', 'lambda:InvokeFunction', qualified(qualifier));
    case 'GET ':
      return allow('GetFunction', 'lambda:GetFunction', qualified(qualifier));
    case 'DELETE ':
      return allow('DeleteFunction', 'lambda:DeleteFunction', qualified(qualifier));
    // Provisioned concurrency (/2019-09-30/…): the qualified ARN of the version or alias, as the
    // Service Authorization Reference gives the function resource; a listing names the function.
    case 'PUT provisioned-concurrency':
      return allow('PutProvisionedConcurrencyConfig', 'lambda:PutProvisionedConcurrencyConfig', qualified(qualifier));
    case 'GET provisioned-concurrency':
      if (request.query.get('List') === 'ALL') return allow('ListProvisionedConcurrencyConfigs', 'lambda:ListProvisionedConcurrencyConfigs', fn);
      return allow('GetProvisionedConcurrencyConfig', 'lambda:GetProvisionedConcurrencyConfig', qualified(qualifier));
    case 'DELETE provisioned-concurrency':
      return allow('DeleteProvisionedConcurrencyConfig', 'lambda:DeleteProvisionedConcurrencyConfig', qualified(qualifier));
    case 'PUT code': {
      allow('UpdateFunctionCode', 'lambda:UpdateFunctionCode', fn);
      // Lambda fetches the new code from S3 with the caller's permissions.
      const body = parseJson(request.body);
      if (typeof body.S3Bucket === 'string' && typeof body.S3Key === 'string') {
        op.names.buckets.push(body.S3Bucket);
        op.authorizations.push({
          action: body.S3ObjectVersion ? 's3:GetObjectVersion' : 's3:GetObject',
          resource: `arn:aws:s3:::${body.S3Bucket}/${body.S3Key}`,
          context: {},
          note: 'Lambda reads the code with the caller’s permissions',
        });
      }
      return op;
    }
    default:
      return { ...op, name: `${m} ${request.path}`, mapped: false };
  }
}

/** A function name, partial ARN or ARN (with or without a qualifier) as an unqualified-or-qualified ARN. */
export function functionArn(name: string, region: string): string {
  if (name.startsWith('arn:')) return name;
  const parts = name.split(':');
  if (parts.length >= 3 && parts[1] === 'function') return `arn:aws:lambda:${region}:${name}`;
  if (parts.length === 2) return `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${parts[0]}:${parts[1]}`;
  return `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${name}`;
}

// ---- CloudFront ----------------------------------------------------------------------------

function cloudFrontOperation(request: RequestFacts): Operation {
  const op: Operation = { service: 'cloudfront', name: '', mapped: true, authorizations: [], names: emptyNames() };
  const policy = /^\/\d{4}-\d{2}-\d{2}\/continuous-deployment-policy(?:\/([^/]+)(\/config)?)?\/?$/.exec(request.path);
  if (policy) return continuousDeploymentPolicyOperation(request, op, policy[1], Boolean(policy[2]));
  const match = /^\/\d{4}-\d{2}-\d{2}\/distribution(?:\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?)?\/?$/.exec(request.path);
  if (!match) return { ...op, name: `${request.method} ${request.path}`, mapped: false };
  const [, id, sub, subId] = match;
  const arn = `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/${id ?? '*'}`;
  const allow = (name: string, action: string, resource = arn) => {
    op.name = name;
    op.authorizations.push({ action, resource, context: {} });
    return op;
  };
  const key = `${request.method} ${id ? 'id' : ''}${sub ? `/${sub}` : ''}${subId ? '/id' : ''}`;
  switch (key) {
    case 'POST ':
      return allow('CreateDistribution', 'cloudfront:CreateDistribution', `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/*`);
    case 'GET ':
      return allow('ListDistributions', 'cloudfront:ListDistributions', '*');
    case 'GET id':
      return allow('GetDistribution', 'cloudfront:GetDistribution');
    case 'GET id/config':
      return allow('GetDistributionConfig', 'cloudfront:GetDistributionConfig');
    case 'PUT id/config':
      return allow('UpdateDistribution', 'cloudfront:UpdateDistribution');
    case 'POST id/invalidation':
      return allow('CreateInvalidation', 'cloudfront:CreateInvalidation');
    case 'GET id/invalidation':
      return allow('ListInvalidations', 'cloudfront:ListInvalidations');
    case 'GET id/invalidation/id':
      return allow('GetInvalidation', 'cloudfront:GetInvalidation');
    // CopyDistribution's API reference: it needs GetDistribution and CreateDistribution (no resource type: "*") too.
    case 'POST id/copy':
      allow('CopyDistribution', 'cloudfront:GetDistribution');
      allow('CopyDistribution', 'cloudfront:CreateDistribution', '*');
      return allow('CopyDistribution', 'cloudfront:CopyDistribution');
    // UpdateDistributionWithStagingConfig's API reference: GetDistribution and UpdateDistribution as well; it reads the staging distribution.
    case 'PUT id/promote-staging-config': {
      const staging = request.query.get('StagingDistributionId');
      if (staging) allow('UpdateDistributionWithStagingConfig', 'cloudfront:GetDistribution', `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/${staging}`);
      allow('UpdateDistributionWithStagingConfig', 'cloudfront:GetDistribution');
      allow('UpdateDistributionWithStagingConfig', 'cloudfront:UpdateDistribution');
      return allow('UpdateDistributionWithStagingConfig', 'cloudfront:UpdateDistributionWithStagingConfig');
    }
    default:
      return { ...op, name: `${request.method} ${request.path}`, mapped: false };
  }
}

/** Continuous-deployment policies are their own resource type: `continuous-deployment-policy/<id>`. */
function continuousDeploymentPolicyOperation(request: RequestFacts, op: Operation, id: string | undefined, config: boolean): Operation {
  const allow = (name: string, action: string, resource: string) => {
    op.name = name;
    op.authorizations.push({ action, resource, context: {} });
    return op;
  };
  const arn = `arn:aws:cloudfront::${ACCOUNT_ID}:continuous-deployment-policy/${id ?? '*'}`;
  const key = `${request.method} ${id ? 'id' : ''}${config ? '/config' : ''}`;
  switch (key) {
    // No resource type (Service Authorization Reference): "*".
    case 'POST ':
      return allow('CreateContinuousDeploymentPolicy', 'cloudfront:CreateContinuousDeploymentPolicy', '*');
    case 'GET ':
      return allow('ListContinuousDeploymentPolicies', 'cloudfront:ListContinuousDeploymentPolicies', '*');
    case 'GET id':
      return allow('GetContinuousDeploymentPolicy', 'cloudfront:GetContinuousDeploymentPolicy', arn);
    case 'GET id/config':
      return allow('GetContinuousDeploymentPolicyConfig', 'cloudfront:GetContinuousDeploymentPolicyConfig', arn);
    case 'PUT id':
      return allow('UpdateContinuousDeploymentPolicy', 'cloudfront:UpdateContinuousDeploymentPolicy', arn);
    case 'DELETE id':
      return allow('DeleteContinuousDeploymentPolicy', 'cloudfront:DeleteContinuousDeploymentPolicy', arn);
    default:
      return { ...op, name: `${request.method} ${request.path}`, mapped: false };
  }
}
