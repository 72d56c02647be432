import { describe, expect, it } from 'vitest';
import { classify, type RequestFacts, type TableShapes } from '../support/strict-aws/operations.js';

const tables: TableShapes = {
  async keys(_table, index) {
    return index ? { hash: index === 'byTarget' ? 'gsi1pk' : 'gsi2pk', range: 'sk' } : { hash: 'pk', range: 'sk' };
  },
};

function json(target: string, body: unknown, service: string): RequestFacts {
  return {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: { 'x-amz-target': target },
    body: Buffer.from(JSON.stringify(body)),
    region: 'us-east-1',
    signingService: service,
  };
}

function rest(service: string, method: string, pathAndQuery: string, headers: Record<string, string> = {}, body?: string): RequestFacts {
  const url = new URL(pathAndQuery, 'http://127.0.0.1:1');
  return {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: { host: '127.0.0.1:1', ...headers },
    ...(body !== undefined ? { body: Buffer.from(body) } : {}),
    region: 'us-east-1',
    signingService: service,
  };
}

const T = 'arn:aws:dynamodb:us-east-1:123456789012:table/t';
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:web';
const DIST = 'arn:aws:cloudfront::123456789012:distribution/E1';

// Every operation the adapters under shared/adapters/aws send, with what IAM authorizes it as.
const cases: [string, RequestFacts, { action: string; resource: string; context?: Record<string, unknown> }[]][] = [
  [
    'GetItem',
    json('DynamoDB_20120810.GetItem', { TableName: 't', Key: { pk: { S: 'TARGETS' }, sk: { S: 'a' } } }, 'dynamodb'),
    [{ action: 'dynamodb:GetItem', resource: T, context: { 'dynamodb:LeadingKeys': ['TARGETS'] } }],
  ],
  [
    'PutItem',
    json('DynamoDB_20120810.PutItem', { TableName: 't', Item: { pk: { S: 'LOCK#a' }, sk: { S: 'x' } } }, 'dynamodb'),
    [{ action: 'dynamodb:PutItem', resource: T, context: { 'dynamodb:LeadingKeys': ['LOCK#a'] } }],
  ],
  [
    'UpdateItem',
    json('DynamoDB_20120810.UpdateItem', { TableName: 't', Key: { pk: { S: 'D#1' }, sk: { S: 'x' } } }, 'dynamodb'),
    [{ action: 'dynamodb:UpdateItem', resource: T }],
  ],
  [
    'DeleteItem',
    json('DynamoDB_20120810.DeleteItem', { TableName: 't', Key: { pk: { S: 'LOCK#a' }, sk: { S: 'x' } } }, 'dynamodb'),
    [{ action: 'dynamodb:DeleteItem', resource: T }],
  ],
  [
    'Query on an index',
    json(
      'DynamoDB_20120810.Query',
      {
        TableName: 't',
        IndexName: 'byTime',
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': 'gsi2pk' },
        ExpressionAttributeValues: { ':p': { S: 'ALL' } },
      },
      'dynamodb',
    ),
    [{ action: 'dynamodb:Query', resource: `${T}/index/byTime`, context: { 'dynamodb:LeadingKeys': ['ALL'] } }],
  ],
  [
    'StartExecution',
    json('AWSStepFunctions.StartExecution', { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:d', name: 'n' }, 'states'),
    [{ action: 'states:StartExecution', resource: 'arn:aws:states:us-east-1:123456789012:stateMachine:d' }],
  ],
  [
    'PutEvents',
    json('AWSEvents.PutEvents', { Entries: [{ EventBusName: 'bus', Source: 's', DetailType: 'd', Detail: '{}' }] }, 'events'),
    [{ action: 'events:PutEvents', resource: 'arn:aws:events:us-east-1:123456789012:event-bus/bus' }],
  ],
  [
    'DescribeAlarms',
    json('GraniteServiceVersion20100801.DescribeAlarms', { AlarmNames: ['a'] }, 'monitoring'),
    [{ action: 'cloudwatch:DescribeAlarms', resource: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:a' }],
  ],
  ['GetMetricData', json('GraniteServiceVersion20100801.GetMetricData', {}, 'monitoring'), [{ action: 'cloudwatch:GetMetricData', resource: '*' }]],
  ['GetAlias', rest('lambda', 'GET', '/2015-03-31/functions/web/aliases/live'), [{ action: 'lambda:GetAlias', resource: FN }]],
  ['UpdateAlias', rest('lambda', 'PUT', '/2015-03-31/functions/web/aliases/live'), [{ action: 'lambda:UpdateAlias', resource: FN }]],
  ['ListVersionsByFunction', rest('lambda', 'GET', '/2015-03-31/functions/web/versions'), [{ action: 'lambda:ListVersionsByFunction', resource: FN }]],
  ['ListAliases', rest('lambda', 'GET', '/2015-03-31/functions/web/aliases'), [{ action: 'lambda:ListAliases', resource: FN }]],
  ['PublishVersion', rest('lambda', 'POST', '/2015-03-31/functions/web/versions'), [{ action: 'lambda:PublishVersion', resource: FN }]],
  [
    'GetFunctionConfiguration',
    rest('lambda', 'GET', '/2015-03-31/functions/web/configuration?Qualifier=3'),
    [{ action: 'lambda:GetFunctionConfiguration', resource: `${FN}:3` }],
  ],
  [
    'DeleteFunction of a version',
    rest('lambda', 'DELETE', '/2015-03-31/functions/web?Qualifier=2'),
    [{ action: 'lambda:DeleteFunction', resource: `${FN}:2` }],
  ],
  [
    'Invoke',
    rest('lambda', 'POST', `/2015-03-31/functions/${encodeURIComponent(`${FN}:live`)}/invocations`),
    [{ action: 'lambda:InvokeFunction', resource: `${FN}:live` }],
  ],
  [
    'UpdateFunctionCode from S3',
    rest('lambda', 'PUT', '/2015-03-31/functions/web/code', {}, JSON.stringify({ S3Bucket: 'art', S3Key: 'releases/web/1.zip', S3ObjectVersion: 'v1' })),
    [
      { action: 'lambda:UpdateFunctionCode', resource: FN },
      { action: 's3:GetObjectVersion', resource: 'arn:aws:s3:::art/releases/web/1.zip' },
    ],
  ],
  [
    'PutProvisionedConcurrencyConfig on a version',
    rest('lambda', 'PUT', '/2019-09-30/functions/web/provisioned-concurrency?Qualifier=8', {}, '{"ProvisionedConcurrentExecutions":5}'),
    [{ action: 'lambda:PutProvisionedConcurrencyConfig', resource: `${FN}:8` }],
  ],
  [
    'GetProvisionedConcurrencyConfig of an alias',
    rest('lambda', 'GET', '/2019-09-30/functions/web/provisioned-concurrency?Qualifier=live'),
    [{ action: 'lambda:GetProvisionedConcurrencyConfig', resource: `${FN}:live` }],
  ],
  [
    'DeleteProvisionedConcurrencyConfig',
    rest('lambda', 'DELETE', '/2019-09-30/functions/web/provisioned-concurrency?Qualifier=7'),
    [{ action: 'lambda:DeleteProvisionedConcurrencyConfig', resource: `${FN}:7` }],
  ],
  [
    'ListProvisionedConcurrencyConfigs',
    rest('lambda', 'GET', '/2019-09-30/functions/web/provisioned-concurrency?List=ALL'),
    [{ action: 'lambda:ListProvisionedConcurrencyConfigs', resource: FN }],
  ],
  ['GetDistributionConfig', rest('cloudfront', 'GET', '/2020-05-31/distribution/E1/config'), [{ action: 'cloudfront:GetDistributionConfig', resource: DIST }]],
  ['UpdateDistribution', rest('cloudfront', 'PUT', '/2020-05-31/distribution/E1/config'), [{ action: 'cloudfront:UpdateDistribution', resource: DIST }]],
  ['CreateInvalidation', rest('cloudfront', 'POST', '/2020-05-31/distribution/E1/invalidation'), [{ action: 'cloudfront:CreateInvalidation', resource: DIST }]],
  ['GetInvalidation', rest('cloudfront', 'GET', '/2020-05-31/distribution/E1/invalidation/I1'), [{ action: 'cloudfront:GetInvalidation', resource: DIST }]],
  [
    'HeadObject of a version',
    rest('s3', 'HEAD', '/art/releases/web/1.zip?versionId=v1'),
    [{ action: 's3:GetObjectVersion', resource: 'arn:aws:s3:::art/releases/web/1.zip' }],
  ],
  ['GetObject', rest('s3', 'GET', '/site/www/a%20b.html'), [{ action: 's3:GetObject', resource: 'arn:aws:s3:::site/www/a b.html' }]],
  [
    'GetObject virtual-hosted',
    { ...rest('s3', 'GET', '/www/index.html'), headers: { host: 'site.s3.us-east-1.amazonaws.com' } },
    [{ action: 's3:GetObject', resource: 'arn:aws:s3:::site/www/index.html' }],
  ],
  ['PutObject', rest('s3', 'PUT', '/site/www/index.html'), [{ action: 's3:PutObject', resource: 'arn:aws:s3:::site/www/index.html' }]],
  [
    'CopyObject',
    rest('s3', 'PUT', '/site/www/b.html', { 'x-amz-copy-source': '/site/old/b.html' }),
    [
      { action: 's3:PutObject', resource: 'arn:aws:s3:::site/www/b.html' },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::site/old/b.html' },
    ],
  ],
  [
    'ListObjectsV2',
    rest('s3', 'GET', '/art?list-type=2&prefix=releases%2Fweb%2F'),
    [{ action: 's3:ListBucket', resource: 'arn:aws:s3:::art', context: { 's3:prefix': 'releases/web/' } }],
  ],
  [
    'DeleteObjects',
    rest('s3', 'POST', '/site?delete', {}, '<Delete><Object><Key>www/a&amp;b</Key></Object><Object><Key>www/c</Key><VersionId>v</VersionId></Object></Delete>'),
    [
      { action: 's3:DeleteObject', resource: 'arn:aws:s3:::site/www/a&b' },
      { action: 's3:DeleteObjectVersion', resource: 'arn:aws:s3:::site/www/c' },
    ],
  ],
  ['CreateMultipartUpload', rest('s3', 'POST', '/site/www/big?uploads'), [{ action: 's3:PutObject', resource: 'arn:aws:s3:::site/www/big' }]],
  ['UploadPart', rest('s3', 'PUT', '/site/www/big?partNumber=1&uploadId=u'), [{ action: 's3:PutObject', resource: 'arn:aws:s3:::site/www/big' }]],
  ['CompleteMultipartUpload', rest('s3', 'POST', '/site/www/big?uploadId=u'), [{ action: 's3:PutObject', resource: 'arn:aws:s3:::site/www/big' }]],
  ['AbortMultipartUpload', rest('s3', 'DELETE', '/site/www/big?uploadId=u'), [{ action: 's3:AbortMultipartUpload', resource: 'arn:aws:s3:::site/www/big' }]],
];

describe('Function: classify', () => {
  it.each(cases)('maps %s to what IAM authorizes', async (_name, request, expected) => {
    // Act
    const op = await classify(request, tables);

    // Assess
    expect(op.mapped).toBe(true);
    expect(op.authorizations).toEqual(
      expected.map((e) => expect.objectContaining({ action: e.action, resource: e.resource, ...(e.context ? { context: e.context } : {}) })),
    );
  });

  it('leaves an operation it does not know unmapped', async () => {
    // Act
    const op = await classify(json('DynamoDB_20120810.DescribeTable', { TableName: 't' }, 'dynamodb'), tables);

    // Assess
    expect(op).toMatchObject({ mapped: false, service: 'dynamodb', name: 'DescribeTable' });
  });
});
