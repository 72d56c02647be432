import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetProvisionedConcurrencyConfigCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { S3ArtifactStore } from '../../shared/adapters/aws/s3-artifacts.js';
import { testFileTag, uniqueName, useMoto } from '../support/aws-env.js';
import { PACKAGE_STAGE, readPackagedTemplate } from '../support/strict-aws/packaged-template.js';
import { startStrictAwsProxy, type StrictAwsProxy } from '../support/strict-aws/proxy.js';
import { rolesFromTemplate, type PackagedRole } from '../support/strict-aws/roles.js';

// A proxy of this file's own in front of moto, so its denials are asserted here and do not fail the run.
let proxy: StrictAwsProxy;
const table = uniqueName('strict-table');
const bucket = uniqueName('strict-artifacts');
const bus = uniqueName('strict-bus');

/** A role that may read items of any table and nothing else. */
const readOnly: PackagedRole = {
  functionKey: 'readOnly',
  roleName: 'ReadOnlyRole',
  policies: [{ name: 'read', text: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }] }) }],
};
/** What the api role had for the artifact bucket: listing only under `releases/`, by an s3:prefix condition. */
const prefixOnlyLister: PackagedRole = {
  functionKey: 'prefixOnlyLister',
  roleName: 'PrefixOnlyListerRole',
  policies: [
    {
      name: 'list',
      text: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: 'arn:aws:s3:::*/releases/*' },
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::*', Condition: { StringLike: { 's3:prefix': 'releases/*' } } },
        ],
      }),
    },
  ],
};

const credentials = (functionKey: string) => ({ accessKeyId: `fn-${functionKey}`, secretAccessKey: 'testing' });
const config = (functionKey: string) => ({ endpoint: proxy.endpoint, region: 'us-east-1', credentials: credentials(functionKey) });
const dynamo = (functionKey: string) => new DynamoDBClient(config(functionKey));
const s3 = (functionKey: string) => new S3Client({ ...config(functionKey), forcePathStyle: true });
const testClient = { endpoint: () => proxy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };

function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string; $metadata?: { httpStatusCode?: number } }> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: unknown) => error as { name: string; message: string },
  );
}

beforeAll(async () => {
  useMoto();
  const packaged = rolesFromTemplate(readPackagedTemplate(process.cwd()), PACKAGE_STAGE);
  proxy = await startStrictAwsProxy({
    motoEndpoint: inject('motoDirectEndpoint'),
    roles: new Map([...packaged, [readOnly.functionKey, readOnly], [prefixOnlyLister.functionKey, prefixOnlyLister]]),
  });
  const admin = { ...testClient, endpoint: proxy.endpoint };
  await new DynamoDBClient(admin).send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  await new S3Client({ ...admin, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucket }));
  await new EventBridgeClient(admin).send(new CreateEventBusCommand({ Name: bus }));
  proxy.registerArtifactBucket(bucket);
  // The packaged roles are cached by the global setup; a change of the sources during a run packages again here.
}, 300_000);

afterAll(async () => {
  await proxy?.stop();
});

beforeEach(() => {
  proxy.problems.length = 0;
  proxy.limitHits.length = 0;
});

describe('IAM evaluation', () => {
  it('denies an action the role lacks, answers as DynamoDB does and records it', async () => {
    // Prepare
    const client = dynamo('readOnly');
    const key = { pk: { S: 'TARGETS' }, sk: { S: 'a' } };

    // Act
    const read = await client.send(new GetItemCommand({ TableName: table, Key: key }));
    const error = await errorOf(client.send(new PutItemCommand({ TableName: table, Item: key })));

    // Assess
    expect(read.$metadata.httpStatusCode).toBe(200);
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain('is not authorized to perform: dynamodb:PutItem');
    expect(testFileTag()).toBe('integration.strict-aws-proxy');
    expect(proxy.problems).toEqual([
      expect.objectContaining({
        kind: 'denied',
        functionKey: 'readOnly',
        action: 'dynamodb:PutItem',
        resource: `arn:aws:dynamodb:us-east-1:123456789012:table/${table}`,
        testFile: 'integration.strict-aws-proxy',
      }),
    ]);
  });

  it('evaluates conditions: the finalize role deletes lock items, never target items', async () => {
    // Prepare
    const client = dynamo('finalize');

    // Act
    const lock = await client.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'LOCK#web' }, sk: { S: 'LOCK' } } }));
    const error = await errorOf(client.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'TARGETS' }, sk: { S: 'web' } } })));

    // Assess
    expect(lock.$metadata.httpStatusCode).toBe(200);
    expect(error.name).toBe('AccessDeniedException');
    expect(proxy.problems).toEqual([expect.objectContaining({ action: 'dynamodb:DeleteItem', context: { 'dynamodb:LeadingKeys': ['TARGETS'] } })]);
  });

  it('evaluates provisioned concurrency on a version (an alias-or-version resource): stage may read it, checkHealth may not', async () => {
    // Prepare
    const request = () => new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'web', Qualifier: '8' });

    // Act: the function does not exist, so an allowed request gets Lambda's answer, not a denial.
    const allowed = await errorOf(new LambdaClient(config('stage')).send(request()));
    const denied = await errorOf(new LambdaClient(config('checkHealth')).send(request()));

    // Assess
    expect(allowed.name).not.toBe('AccessDeniedException');
    expect(denied.name).toBe('AccessDeniedException');
    expect(proxy.problems).toEqual([
      expect.objectContaining({
        kind: 'denied',
        functionKey: 'checkHealth',
        action: 'lambda:GetProvisionedConcurrencyConfig',
        resource: 'arn:aws:lambda:us-east-1:123456789012:function:web:8',
      }),
    ]);
  });

  it('fails an operation it cannot map, naming it, instead of letting it through unevaluated', async () => {
    // Act
    const error = await errorOf(dynamo('api').send(new DescribeTableCommand({ TableName: table })));

    // Assess
    expect(error.name).toBe('StrictAwsUnmappedOperation');
    expect(proxy.problems).toEqual([expect.objectContaining({ kind: 'unmapped', functionKey: 'api', operation: 'dynamodb:DescribeTable' })]);
  });

  it('evaluates a prefixed listing against the s3:prefix condition', async () => {
    // Act
    const inside = await s3('prefixOnlyLister').send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'releases/web/' }));
    const outside = await errorOf(s3('prefixOnlyLister').send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'other/' })));

    // Assess
    expect(inside.$metadata.httpStatusCode).toBe(200);
    expect(outside.name).toBe('AccessDenied');
    expect(proxy.problems).toEqual([expect.objectContaining({ action: 's3:ListBucket', context: { 's3:prefix': 'other/' } })]);
  });
});

describe('S3 missing keys', () => {
  it('answers 403, not 404, for a missing key when the caller may list the bucket only under a prefix', async () => {
    // Act
    const error = await errorOf(s3('prefixOnlyLister').send(new HeadObjectCommand({ Bucket: bucket, Key: 'releases/web/missing.zip' })));

    // Assess
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(proxy.problems).toEqual([
      expect.objectContaining({ kind: 'denied', operation: 's3:HeadObject', action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket}`, context: {} }),
    ]);
  });

  it('answers 200 for an existing key whatever the listing rights', async () => {
    // Prepare
    await new S3Client({ ...testClient, endpoint: proxy.endpoint, forcePathStyle: true }).send(
      new PutObjectCommand({ Bucket: bucket, Key: 'releases/web/there.zip', Body: 'x' }),
    );

    // Act
    const head = await s3('prefixOnlyLister').send(new HeadObjectCommand({ Bucket: bucket, Key: 'releases/web/there.zip' }));

    // Assess
    expect(head.$metadata.httpStatusCode).toBe(200);
    expect(proxy.problems).toEqual([]);
  });

  it('lets the packaged api role tell a release that does not exist yet (POST /targets/{name}/releases)', async () => {
    // Prepare
    const artifacts = new S3ArtifactStore({ client: s3('api') });

    // Act
    const head = await artifacts.head({ bucket, key: 'releases/web/not-yet.zip' });

    // Assess
    expect(head).toBeUndefined();
    expect(proxy.problems).toEqual([]);
  });
});

describe('limits moto ignores', () => {
  // moto refuses items over its own estimate (405,000 bytes, without DynamoDB's per-element
  // overhead), so these items are lists of small strings: under moto's count, over DynamoDB's.
  const smallStrings = (count: number) => ({ L: Array.from({ length: count }, () => ({ S: 'x'.repeat(40) })) });

  it('refuses a PutItem over 400 KB as DynamoDB counts it, and takes one exactly at the limit', async () => {
    // Prepare
    const client = new DynamoDBClient({ ...testClient, endpoint: proxy.endpoint });
    // pk(2) + 'TARGETS'(7) + sk(2) + 33 + data(4) + list(3) = 51 bytes; each element 1 + 40: 409,600 in all.
    const item = (elements: number, sk = 'b'.repeat(33)) => ({ pk: { S: 'TARGETS' }, sk: { S: sk }, data: smallStrings(elements) });

    // Act
    const atLimit = await client.send(new PutItemCommand({ TableName: table, Item: item(9_989) }));
    const error = await errorOf(client.send(new PutItemCommand({ TableName: table, Item: item(9_989, 'b'.repeat(34)) })));

    // Assess
    expect(atLimit.$metadata.httpStatusCode).toBe(200);
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('Item size has exceeded the maximum allowed size');
    expect(proxy.limitHits).toEqual([expect.objectContaining({ operation: 'dynamodb:PutItem', detail: expect.stringContaining('409601 bytes') })]);
  });

  it('refuses an UpdateItem whose result is over 400 KB and keeps the item as it was', async () => {
    // Prepare
    const client = new DynamoDBClient({ ...testClient, endpoint: proxy.endpoint });
    const key = { pk: { S: 'DEPLOYMENT#grow' }, sk: { S: 'DEPLOYMENT' } };
    await client.send(new PutItemCommand({ TableName: table, Item: { ...key, timeline: smallStrings(5_000) } }));

    // Act
    const error = await errorOf(
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET timeline = list_append(timeline, :e)',
          ExpressionAttributeValues: { ':e': smallStrings(5_000) },
        }),
      ),
    );
    const after = await client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));

    // Assess
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('Item size to update has exceeded the maximum allowed size');
    expect(after.Item?.timeline?.L).toHaveLength(5_000);
  });

  it('passes an UpdateItem that stays within the limit and returns what the caller asked for', async () => {
    // Prepare
    const client = new DynamoDBClient({ ...testClient, endpoint: proxy.endpoint });
    const key = { pk: { S: 'DEPLOYMENT#small' }, sk: { S: 'DEPLOYMENT' } };
    await client.send(new PutItemCommand({ TableName: table, Item: { ...key, n: { N: '1' } } }));

    // Act
    const none = await client.send(
      new UpdateItemCommand({ TableName: table, Key: key, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '2' } } }),
    );
    const old = await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '3' } },
        ReturnValues: 'ALL_OLD',
      }),
    );

    // Assess
    expect(none.Attributes).toBeUndefined();
    expect(old.Attributes?.n).toEqual({ N: '2' });
  });

  it('refuses PutEvents entries over 256 KB as EventBridge does', async () => {
    // Prepare
    const client = new EventBridgeClient({ ...testClient, endpoint: proxy.endpoint });
    // Source 'slipway' (7) + DetailType 'T' (1) + Detail '"…"' (2 + payload).
    const entry = (payload: number) => ({ EventBusName: bus, Source: 'slipway', DetailType: 'T', Detail: JSON.stringify('x'.repeat(payload)) });

    // Act
    const atLimit = await client.send(new PutEventsCommand({ Entries: [entry(262_144 - 10)] }));
    const error = await errorOf(client.send(new PutEventsCommand({ Entries: [entry(262_144 - 9)] })));

    // Assess
    expect(atLimit.FailedEntryCount ?? 0).toBe(0);
    expect(error.name).toBe('ValidationException');
  });

  it('refuses an execution name AWS would refuse', async () => {
    // Prepare
    const client = new SFNClient({ ...testClient, endpoint: proxy.endpoint });

    // Act
    const error = await errorOf(
      client.send(
        new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:none', name: 'web:release/1', input: '{}' }),
      ),
    );

    // Assess
    expect(error.name).toBe('InvalidName');
    expect(proxy.limitHits).toEqual([expect.objectContaining({ limit: 'InvalidName', operation: 'states:StartExecution' })]);
  });
});
