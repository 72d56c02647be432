/**
 * Creates, in the emulator, what serverless.yml creates in AWS: the table (same keys and index),
 * the versioned artifact bucket with its ObjectCreated → queue notification, the queue and its
 * dead-letter queue, and the event bus. Also the example functions and alarms of `slipway dev`.
 * Only `slipway dev`, the tests and the benchmarks use it.
 */
import { CloudFrontClient, CreateDistributionCommand, GetDistributionConfigCommand, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, ResourceExistsException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ParameterAlreadyExists, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { BY_TARGET_INDEX, BY_TIME_INDEX } from '../shared/adapters/aws/dynamo-table.js';

export interface LocalInfrastructure {
  tableName: string;
  artifactBucket: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  eventBus: string;
}

export async function createTable(tableName: string): Promise<void> {
  const client = new DynamoDBClient({});
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
          { AttributeName: 'gsi2pk', AttributeType: 'S' },
          { AttributeName: 'gsi2sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: BY_TARGET_INDEX,
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: BY_TIME_INDEX,
            KeySchema: [
              { AttributeName: 'gsi2pk', KeyType: 'HASH' },
              { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

export async function createVersionedBucket(bucket: string): Promise<void> {
  const s3 = new S3Client({ forcePathStyle: true });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if ((error as Error).name !== 'BucketAlreadyOwnedByYou') throw error;
  }
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
}

export async function provisionService(names: {
  tableName: string;
  artifactBucket: string;
  queueName: string;
  eventBus: string;
}): Promise<LocalInfrastructure> {
  await createTable(names.tableName);
  await createVersionedBucket(names.artifactBucket);
  const sqs = new SQSClient({});
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${names.queueName}-dlq` }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: names.queueName,
      Attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) },
    }),
  );
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  await new S3Client({ forcePathStyle: true }).send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: names.artifactBucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            QueueArn: queueArn,
            Events: ['s3:ObjectCreated:*'],
            Filter: {
              Key: {
                FilterRules: [
                  { Name: 'prefix', Value: 'releases/' },
                  { Name: 'suffix', Value: '.zip' },
                ],
              },
            },
          },
        ],
      },
    }),
  );
  try {
    await new EventBridgeClient({}).send(new CreateEventBusCommand({ Name: names.eventBus }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceAlreadyExistsException') throw error;
  }
  return {
    tableName: names.tableName,
    artifactBucket: names.artifactBucket,
    queueUrl: queue.QueueUrl ?? '',
    deadLetterQueueUrl: dlq.QueueUrl ?? '',
    eventBus: names.eventBus,
  };
}

async function executionRole(): Promise<string> {
  const iam = new IAMClient({});
  const RoleName = 'slipway-local-example-function';
  try {
    return (await iam.send(new GetRoleCommand({ RoleName }))).Role?.Arn ?? '';
  } catch {
    try {
      const created = await iam.send(
        new CreateRoleCommand({
          RoleName,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
      return created.Role?.Arn ?? '';
    } catch (error) {
      // Another process sharing the emulator (a second test file, a second start) created it meanwhile.
      if ((error as { name?: string }).name !== 'EntityAlreadyExistsException') throw error;
      return (await iam.send(new GetRoleCommand({ RoleName }))).Role?.Arn ?? '';
    }
  }
}

/**
 * Creates a function from a zip, publishes version 1 and points `alias` at it. Each part that
 * exists already is kept (an emulator that outlived a run, or a start that stopped half-way), so
 * an alias slipway has moved since stays where it is.
 */
export async function createAliasedFunction(name: string, zip: Uint8Array, alias = 'live'): Promise<void> {
  const lambda = new LambdaClient({});
  if (!(await exists(() => lambda.send(new GetFunctionCommand({ FunctionName: name }))))) {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: await executionRole(),
        Code: { ZipFile: zip },
      }),
    );
  }
  if (await exists(() => lambda.send(new GetAliasCommand({ FunctionName: name, Name: alias })))) return;
  const versions = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }))).Versions ?? [];
  const published = versions.map((v) => v.Version).find((v) => v !== undefined && v !== '$LATEST');
  const version = published ?? (await lambda.send(new PublishVersionCommand({ FunctionName: name, Description: 'initial version' }))).Version;
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version }));
}

/** False when the call fails with ResourceNotFoundException. */
async function exists(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

export async function createAlarm(name: string, state: 'OK' | 'ALARM' = 'OK'): Promise<void> {
  const cw = new CloudWatchClient({});
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }),
  );
  await cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: 'set by slipway' }));
}

/** What dev mode creates a site's distribution with; how a later start recognises it. */
export function siteDistributionNames(bucket: string): { callerReference: string; comment: string } {
  return { callerReference: `slipway-local-${bucket}`, comment: `slipway dev site on ${bucket}` };
}

/**
 * The distribution dev mode created for the bucket, found by its CallerReference or Comment (moto's
 * ListDistributions summaries carry neither, nor the origins, so each config is read).
 */
async function findSiteDistribution(cloudfront: CloudFrontClient, bucket: string): Promise<string | undefined> {
  const { callerReference, comment } = siteDistributionNames(bucket);
  let marker: string | undefined;
  do {
    const listed = (await cloudfront.send(new ListDistributionsCommand(marker ? { Marker: marker } : {}))).DistributionList;
    for (const summary of listed?.Items ?? []) {
      if (!summary.Id) continue;
      if (summary.Comment === comment) return summary.Id;
      const config = (await cloudfront.send(new GetDistributionConfigCommand({ Id: summary.Id }))).DistributionConfig;
      if (config?.CallerReference === callerReference || config?.Comment === comment) return summary.Id;
    }
    marker = listed?.IsTruncated ? listed.NextMarker : undefined;
  } while (marker);
  return undefined;
}

/**
 * A site target's origin: the versioned bucket and a distribution whose single S3 origin serves the
 * bucket root (origin path '' until the first release switches it). The distribution a previous
 * `slipway dev` created against the same emulator is reused: a second CreateDistribution with its
 * CallerReference fails with DistributionAlreadyExists.
 */
export async function provisionSiteOrigin(bucket: string): Promise<{ distributionId: string; created: boolean }> {
  await createVersionedBucket(bucket);
  const cloudfront = new CloudFrontClient({});
  const existing = await findSiteDistribution(cloudfront, bucket);
  if (existing) return { distributionId: existing, created: false };
  const { callerReference, comment } = siteDistributionNames(bucket);
  const created = await cloudfront.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: callerReference,
        Comment: comment,
        Enabled: true,
        DefaultRootObject: 'index.html',
        Origins: {
          Quantity: 1,
          Items: [{ Id: 's3', DomainName: `${bucket}.s3.us-east-1.amazonaws.com`, OriginPath: '', S3OriginConfig: { OriginAccessIdentity: '' } }],
        },
        // The managed CachingOptimized policy, as a real site distribution would use.
        DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
      },
    }),
  );
  const distributionId = created.Distribution?.Id;
  if (!distributionId) throw new Error(`CreateDistribution for ${bucket} returned no id`);
  return { distributionId, created: true };
}

/**
 * The SSM parameters and Secrets Manager secrets an example target's configuration refers to, with
 * made-up values, so the example pipeline deploys out of the box. One that exists already (an
 * emulator that outlived a run, or one a person changed to try a rotation) is kept as it is.
 */
export async function seedConfigurationReferences(environment: Record<string, unknown>): Promise<string[]> {
  const created: string[] = [];
  const ssm = new SSMClient({});
  const secrets = new SecretsManagerClient({});
  for (const value of Object.values(environment)) {
    if (!value || typeof value !== 'object') continue;
    try {
      if ('parameter' in value && typeof value.parameter === 'string') {
        await ssm.send(
          new PutParameterCommand({ Name: value.parameter, Type: 'SecureString', Value: `dev-only value of ${value.parameter}`, Overwrite: false }),
        );
        created.push(`SSM parameter ${value.parameter}`);
      } else if ('secret' in value && typeof value.secret === 'string') {
        await secrets.send(new CreateSecretCommand({ Name: value.secret, SecretString: `dev-only value of ${value.secret}` }));
        created.push(`secret ${value.secret}`);
      }
    } catch (error) {
      if (!(error instanceof ParameterAlreadyExists) && !(error instanceof ResourceExistsException)) throw error;
    }
  }
  return created;
}
