/**
 * The strict-AWS proxy: an HTTP server between the SDK clients and moto_server that answers as AWS
 * would where moto is lenient. Before forwarding a request it
 * - identifies the caller by the SigV4 access key id: `fn-<functionKey>` is that slipway function
 *   (its packaged role is evaluated); any other key is a test's own client (limits only);
 * - maps the request to IAM authorizations (operations.ts) and evaluates them against the caller's
 *   packaged role (roles.ts); a denial is answered with the service's AccessDenied error and recorded;
 * - enforces the limits moto ignores (service-limits.ts): DynamoDB items over 400 KB, PutEvents
 *   entries over 256 KB, invalid execution names.
 * See README.md beside this file.
 */
import { request as httpRequest, createServer, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classify, type Authorization, type KeySchema, type Operation, type RequestFacts, type TableShapes } from './operations.js';
import { RoleEvaluator, type PackagedRole } from './roles.js';
import { DYNAMODB_ITEM_LIMIT_BYTES, PUT_EVENTS_LIMIT_BYTES, itemSize, putEventsEntrySize, type AttributeValue, type PutEventsEntry } from './service-limits.js';
import { executionNameProblem } from './state-limits.js';

export const CONTROL_PREFIX = '/__strict-aws/';

export interface Problem {
  kind: 'denied' | 'unmapped' | 'evaluator';
  functionKey: string;
  operation: string;
  action?: string;
  resource?: string;
  context?: Authorization['context'];
  note?: string;
  detail?: string;
  testFile?: string;
}

/** A limit the proxy enforced: not a failure of the run (the test saw AWS's answer), but counted. */
export interface LimitHit {
  limit: string;
  operation: string;
  detail: string;
  caller: string;
  testFile?: string;
}

export interface StrictAwsProxy {
  endpoint: string;
  problems: Problem[];
  limitHits: LimitHit[];
  /** Requests evaluated against a function's packaged role, by function key. */
  evaluated: Map<string, number>;
  registerArtifactBucket(bucket: string): void;
  stop(): Promise<void>;
}

export interface ProxyOptions {
  motoEndpoint: string;
  roles: ReadonlyMap<string, PackagedRole>;
}

interface Caller {
  accessKeyId?: string;
  functionKey?: string;
  region: string;
  service?: string;
  testFile?: string;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The caller from `Authorization: AWS4-HMAC-SHA256 Credential=<akid>/<date>/<region>/<service>/…` or a presigned URL. */
export function callerOf(req: IncomingMessage, query: URLSearchParams): Caller {
  const credential = /Credential=([^,\s]+)/.exec(header(req, 'authorization') ?? '')?.[1] ?? query.get('X-Amz-Credential') ?? '';
  const [accessKeyId, , region, service] = credential.split('/');
  const agent = `${header(req, 'x-amz-user-agent') ?? ''} ${header(req, 'user-agent') ?? ''}`;
  const testFile = /(?:^|\s)app\/(\S+)/.exec(agent)?.[1];
  const functionKey = accessKeyId?.startsWith('fn-') ? accessKeyId.slice(3) : undefined;
  return {
    ...(accessKeyId ? { accessKeyId } : {}),
    ...(functionKey ? { functionKey } : {}),
    region: region || 'us-east-1',
    ...(service ? { service } : {}),
    ...(testFile ? { testFile } : {}),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** S3 object bodies stream through untouched; everything else is small and read first. */
function streams(req: IncomingMessage, service: string | undefined, path: string): boolean {
  if (service !== 's3') return false;
  const objectLevel = path.split('/').filter(Boolean).length >= 2;
  return req.method === 'GET' || req.method === 'HEAD' || (req.method === 'PUT' && objectLevel);
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'expect', 'proxy-connection', 'upgrade'];

export async function startStrictAwsProxy(options: ProxyOptions): Promise<StrictAwsProxy> {
  const moto = new URL(options.motoEndpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const evaluator = new RoleEvaluator(options.roles);
  const artifactBuckets = new Set<string>();
  const problems: Problem[] = [];
  const limitHits: LimitHit[] = [];
  const evaluated = new Map<string, number>();
  const schemas = new Map<string, Promise<TableDescription | undefined>>();

  /** A request of the proxy's own, straight to moto (JSON protocols). */
  async function motoJson(target: string, service: string, region: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(options.motoEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': target,
        authorization: `AWS4-HMAC-SHA256 Credential=strict-aws/20240101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  const tables: TableShapes & { describe(table: string, region: string): Promise<TableDescription | undefined> } = {
    describe(table, region) {
      let found = schemas.get(table);
      if (!found) {
        found = motoJson('DynamoDB_20120810.DescribeTable', 'dynamodb', region, { TableName: table }).then(({ status, json }) =>
          status === 200 ? describeTable(json.Table as RawTable) : undefined,
        );
        schemas.set(table, found);
        // A table that does not exist yet is asked again next time.
        void found.then((d) => d || schemas.delete(table));
      }
      return found;
    },
    async keys(table, index) {
      const described = await this.describe(table, 'us-east-1');
      return index ? described?.indexes[index] : described?.table;
    },
  };

  function record(problem: Problem): void {
    problems.push(problem);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://strict-aws');
    if (url.pathname.startsWith(CONTROL_PREFIX)) return control(req, res, url);
    const caller = callerOf(req, url.searchParams);
    const streamed = streams(req, caller.service, url.pathname);
    const body = streamed ? undefined : await readBody(req);
    if (url.pathname.startsWith('/moto-api') || !caller.service) return forward(req, res, body);

    const facts: RequestFacts = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      ...(body ? { body } : {}),
      region: caller.region,
      ...(caller.service ? { signingService: caller.service } : {}),
    };
    const op = await classify(facts, tables);
    learn(op);

    if (caller.functionKey) {
      evaluated.set(caller.functionKey, (evaluated.get(caller.functionKey) ?? 0) + 1);
      if (!op.mapped) {
        record({
          kind: 'unmapped',
          functionKey: caller.functionKey,
          operation: `${op.service}:${op.name}`,
          ...(caller.testFile ? { testFile: caller.testFile } : {}),
        });
        return answerError(
          res,
          op,
          400,
          'StrictAwsUnmappedOperation',
          `strict-aws does not know how AWS authorizes ${op.service} ${op.name}: map it in test/support/strict-aws/operations.ts`,
        );
      }
      for (const authorization of op.authorizations) {
        const denied = await deniedBy(caller, op, authorization);
        if (denied) return answerError(res, op, accessDeniedStatus(op), accessDeniedCode(op), denied);
      }
    }

    const limit = limitProblem(op);
    if (limit) {
      limitHits.push({
        limit: limit.code,
        operation: `${op.service}:${op.name}`,
        detail: limit.message,
        caller: caller.accessKeyId ?? 'unsigned',
        ...(caller.testFile ? { testFile: caller.testFile } : {}),
      });
      return answerError(res, op, 400, limit.code, limit.message);
    }
    if (op.service === 'dynamodb' && op.name === 'UpdateItem') return updateWithinItemLimit(req, res, op, caller, body!);
    if (caller.functionKey && op.service === 's3' && (op.name === 'GetObject' || op.name === 'HeadObject')) {
      return forward(req, res, body, async (status) => {
        if (status !== 404) return undefined;
        // S3 tells a missing key (404) from a forbidden one only to a caller who may list the bucket;
        // anyone else gets 403 for a key that does not exist.
        const listing: Authorization = {
          action: 's3:ListBucket',
          resource: `arn:aws:s3:::${op.s3!.bucket}`,
          context: {},
          note: `S3 answers 404 for a missing key only to a caller allowed s3:ListBucket on the bucket; without it, ${op.name} of the missing key s3://${op.s3!.bucket}/${op.s3!.key ?? ''} answers 403`,
        };
        return (await deniedBy(caller, op, listing)) ? () => answerError(res, op, 403, 'AccessDenied', 'Access Denied') : undefined;
      });
    }
    return forward(req, res, body);
  }

  /** Records and describes a denial, or returns undefined when the role allows the request. */
  async function deniedBy(caller: Caller, op: Operation, authorization: Authorization): Promise<string | undefined> {
    const functionKey = caller.functionKey!;
    const evaluation = await evaluator.evaluate(functionKey, authorization, { region: caller.region, names: op.names, artifactBuckets });
    if (evaluation.decision === 'Allowed') return undefined;
    const base = {
      functionKey,
      operation: `${op.service}:${op.name}`,
      action: authorization.action,
      resource: authorization.resource,
      context: authorization.context,
      ...(authorization.note ? { note: authorization.note } : {}),
      ...(caller.testFile ? { testFile: caller.testFile } : {}),
    };
    if (evaluation.error) {
      record({ kind: 'evaluator', ...base, detail: evaluation.error });
      return `strict-aws could not evaluate ${authorization.action} on ${authorization.resource}: ${evaluation.error}`;
    }
    record({ kind: 'denied', ...base, detail: evaluation.decision });
    const role = evaluator.roleName(functionKey) ?? functionKey;
    const why =
      evaluation.decision === 'ExplicitlyDenied'
        ? 'with an explicit deny in an identity-based policy'
        : `because no identity-based policy allows the ${authorization.action} action`;
    return `User: arn:aws:sts::123456789012:assumed-role/${role}/slipway-${functionKey} is not authorized to perform: ${authorization.action} on resource: ${authorization.resource} ${why}`;
  }

  /** Provisioning points the artifact bucket's notifications at the intake queue: that marks it. */
  function learn(op: Operation): void {
    if (op.service === 's3' && op.name === 'PutBucketNotificationConfiguration' && op.s3) {
      // The body was read: it is a bucket-level PUT.
      artifactBuckets.add(op.s3.bucket);
    }
  }

  function limitProblem(op: Operation): { code: string; message: string } | undefined {
    const json = op.json ?? {};
    if (op.service === 'dynamodb' && op.name === 'PutItem') {
      const size = itemSize((json.Item ?? {}) as Record<string, AttributeValue>);
      if (size > DYNAMODB_ITEM_LIMIT_BYTES)
        return {
          code: 'ValidationException',
          message: `Item size has exceeded the maximum allowed size (${size} bytes; DynamoDB allows ${DYNAMODB_ITEM_LIMIT_BYTES})`,
        };
    }
    if (op.service === 'events' && op.name === 'PutEvents') {
      const entries = (json.Entries ?? []) as PutEventsEntry[];
      const total = entries.reduce((sum, e) => sum + putEventsEntrySize(e), 0);
      if (total > PUT_EVENTS_LIMIT_BYTES) {
        return {
          code: 'ValidationException',
          message: `Total size of the entries in the request is over the limit (${total} bytes; EventBridge allows ${PUT_EVENTS_LIMIT_BYTES})`,
        };
      }
    }
    if (op.service === 'states' && op.name === 'StartExecution' && typeof json.name === 'string') {
      const problem = executionNameProblem(json.name);
      if (problem) return { code: 'InvalidName', message: `Invalid Name: '${json.name}' (${problem})` };
    }
    return undefined;
  }

  /**
   * moto applies any UpdateItem. The proxy keeps the item as it was (asking for ALL_OLD, or reading
   * it first when the caller asked for other return values), reads the result, and puts the old
   * item back when the new one is over 400 KB, answering as DynamoDB does.
   */
  async function updateWithinItemLimit(req: IncomingMessage, res: ServerResponse, op: Operation, caller: Caller, body: Buffer): Promise<void> {
    const json = op.json!;
    const table = String(json.TableName);
    const asked = String(json.ReturnValues ?? 'NONE');
    let before: Record<string, AttributeValue> | undefined;
    let sent = body;
    if (asked === 'NONE' || asked === 'ALL_OLD') {
      sent = Buffer.from(JSON.stringify({ ...json, ReturnValues: 'ALL_OLD' }));
    } else {
      const read = await motoJson('DynamoDB_20120810.GetItem', 'dynamodb', caller.region, { TableName: table, Key: json.Key, ConsistentRead: true });
      before = read.json.Item as Record<string, AttributeValue> | undefined;
    }
    const answer = await forwardBuffered(req, sent);
    if (answer.status !== 200) return reply(res, answer);
    const out = answer.body.length ? (JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>) : {};
    if (asked === 'NONE' || asked === 'ALL_OLD') before = out.Attributes as Record<string, AttributeValue> | undefined;
    const after =
      asked === 'ALL_NEW'
        ? (out.Attributes as Record<string, AttributeValue>)
        : ((await motoJson('DynamoDB_20120810.GetItem', 'dynamodb', caller.region, { TableName: table, Key: json.Key, ConsistentRead: true })).json.Item as
            | Record<string, AttributeValue>
            | undefined);
    const size = after ? itemSize(after) : 0;
    if (size > DYNAMODB_ITEM_LIMIT_BYTES) {
      if (before) await motoJson('DynamoDB_20120810.PutItem', 'dynamodb', caller.region, { TableName: table, Item: before });
      else await motoJson('DynamoDB_20120810.DeleteItem', 'dynamodb', caller.region, { TableName: table, Key: json.Key });
      // DynamoDB's own wording for an update (moto copies it).
      const message = `Item size to update has exceeded the maximum allowed size (the update makes it ${size} bytes; DynamoDB allows ${DYNAMODB_ITEM_LIMIT_BYTES})`;
      limitHits.push({
        limit: 'ValidationException',
        operation: 'dynamodb:UpdateItem',
        detail: message,
        caller: caller.accessKeyId ?? 'unsigned',
        ...(caller.testFile ? { testFile: caller.testFile } : {}),
      });
      return answerError(res, op, 400, 'ValidationException', message);
    }
    if (asked === 'NONE') {
      delete out.Attributes;
      return reply(res, { ...answer, body: Buffer.from(JSON.stringify(out)) });
    }
    return reply(res, answer);
  }

  function upstreamOptions(req: IncomingMessage, body: Buffer | undefined) {
    const headers = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    if (body) headers['content-length'] = String(body.length);
    return { host: moto.hostname, port: Number(moto.port), method: req.method, path: req.url, headers, agent };
  }

  function forwardBuffered(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(upstreamOptions(req, body), (up) => {
        readBody(up).then((b) => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: b }), reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  function reply(res: ServerResponse, answer: { status: number; headers: IncomingMessage['headers']; body: Buffer }): void {
    const headers = { ...answer.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  }

  /**
   * Streams the request to moto and moto's answer back. `intercept` may look at the status first
   * and take over the answer instead.
   */
  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer | undefined,
    intercept?: (status: number) => Promise<(() => void) | undefined>,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(upstreamOptions(req, body), (up) => {
        const pass = () => {
          const headers = { ...up.headers };
          for (const name of HOP_BY_HOP) delete headers[name];
          res.writeHead(up.statusCode ?? 502, headers);
          up.pipe(res);
          up.on('end', () => resolve());
          up.on('error', reject);
        };
        if (!intercept) return pass();
        intercept(up.statusCode ?? 502).then((takeOver) => {
          if (!takeOver) return pass();
          up.resume();
          takeOver();
          resolve();
        }, reject);
      });
      upstream.on('error', reject);
      if (body) upstream.end(body);
      else req.pipe(upstream);
    });
  }

  async function control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readBody(req);
    const route = url.pathname.slice(CONTROL_PREFIX.length);
    if (route === 'artifact-buckets' && req.method === 'POST') {
      const { bucket } = JSON.parse(body.toString('utf8') || '{}') as { bucket?: string };
      if (bucket) artifactBuckets.add(bucket);
      res.writeHead(204).end();
      return;
    }
    if (route === 'problems' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ problems, limitHits }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`strict-aws has no control route ${req.method} ${url.pathname}`);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`strict-aws proxy failed: ${message}`);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    problems,
    limitHits,
    evaluated,
    registerArtifactBucket: (bucket) => artifactBuckets.add(bucket),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

// ---- errors in each protocol's shape -------------------------------------------------------

function accessDeniedStatus(op: Operation): number {
  return op.service === 's3' || op.service === 'lambda' || op.service === 'cloudfront' ? 403 : 400;
}

function accessDeniedCode(op: Operation): string {
  return op.service === 's3' || op.service === 'cloudfront' ? 'AccessDenied' : 'AccessDeniedException';
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function answerError(res: ServerResponse, op: Operation, status: number, code: string, message: string): void {
  const requestId = `strict-aws-${Date.now().toString(36)}`;
  if (op.service === 's3') {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId}</RequestId><HostId>${requestId}</HostId></Error>`;
    // A HEAD answer has no body: the SDK reads the status alone (403 -> Forbidden).
    res.writeHead(status, {
      'content-type': 'application/xml',
      'x-amz-request-id': requestId,
      ...(op.name === 'HeadObject' ? {} : { 'content-length': Buffer.byteLength(xml) }),
    });
    res.end(op.name === 'HeadObject' ? undefined : xml);
    return;
  }
  if (op.service === 'cloudfront') {
    const xml = `<?xml version="1.0"?>\n<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).end(xml);
    return;
  }
  const json = JSON.stringify(op.service === 'lambda' ? { Type: 'User', Message: message } : { __type: code, message });
  res
    .writeHead(status, {
      'content-type': op.service === 'lambda' ? 'application/json' : op.service === 'events' ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0',
      'x-amzn-errortype': code,
      'x-amzn-requestid': requestId,
      ...(op.service === 'cloudwatch' || op.service === 'sqs' ? { 'x-amzn-query-error': `${code};Sender` } : {}),
    })
    .end(json);
}

// ---- DynamoDB table shapes -----------------------------------------------------------------

type RawKeySchema = { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
interface RawTable {
  KeySchema?: RawKeySchema;
  GlobalSecondaryIndexes?: { IndexName: string; KeySchema: RawKeySchema }[];
  LocalSecondaryIndexes?: { IndexName: string; KeySchema: RawKeySchema }[];
}
interface TableDescription {
  table: KeySchema;
  indexes: Record<string, KeySchema>;
}

function keysOf(schema: RawKeySchema | undefined): KeySchema {
  const hash = schema?.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '';
  const range = schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
  return { hash, ...(range ? { range } : {}) };
}

function describeTable(table: RawTable | undefined): TableDescription | undefined {
  if (!table) return undefined;
  const indexes: Record<string, KeySchema> = {};
  for (const index of [...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])]) indexes[index.IndexName] = keysOf(index.KeySchema);
  return { table: keysOf(table.KeySchema), indexes };
}

/** The run's report: every denied or unmapped request, grouped, in words for people. */
export function describeProblems(problems: Problem[]): string {
  const seen = new Map<string, { problem: Problem; count: number; files: Set<string> }>();
  for (const p of problems) {
    const key = `${p.kind}|${p.functionKey}|${p.operation}|${p.action}|${p.resource}|${JSON.stringify(p.context)}`;
    const entry = seen.get(key) ?? { problem: p, count: 0, files: new Set<string>() };
    entry.count++;
    if (p.testFile) entry.files.add(p.testFile);
    seen.set(key, entry);
  }
  const lines = [...seen.values()].map(({ problem: p, count, files }) => {
    const where = files.size ? ` (tests: ${[...files].join(', ')})` : '';
    const times = count > 1 ? ` ×${count}` : '';
    if (p.kind === 'unmapped')
      return `- ${p.functionKey}: ${p.operation} is not mapped to IAM actions in test/support/strict-aws/operations.ts${times}${where}`;
    const context = p.context && Object.keys(p.context).length ? ` with ${JSON.stringify(p.context)}` : '';
    const verdict =
      p.kind === 'evaluator'
        ? `could not be evaluated: ${p.detail}`
        : `${p.detail === 'ExplicitlyDenied' ? 'explicitly denied' : 'not allowed'} by its packaged role`;
    return `- ${p.functionKey}: ${p.operation} needs ${p.action} on ${p.resource}${context}, ${verdict}${p.note ? ` (${p.note})` : ''}${times}${where}`;
  });
  return lines.join('\n');
}
