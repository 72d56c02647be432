import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TERMINAL_STATUSES, type Deployment, type TimelineEntry } from '../../domain/deployment.js';
import { parseTarget, type Target } from '../../domain/target.js';
import type { DeploymentPatch, DeploymentStore, LockStore, TargetStore } from '../../ports/index.js';
import { requiredEnv } from './env.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

/**
 * One table holds everything (keys `pk`/`sk`, index `byTarget` on `gsi1pk`/`gsi1sk`):
 * - targets:     pk `TARGETS`, sk `<name>`
 * - deployments: pk `DEPLOYMENT#<id>`, sk `DEPLOYMENT`; gsi1pk `TARGET#<name>`, gsi1sk `<requestedAt>#<id>`
 * - locks:       pk `LOCK#<target>`, sk `LOCK`
 */
export const BY_TARGET_INDEX = 'byTarget';

export interface TableOptions {
  client?: DynamoDBDocumentClient;
  tableName?: string;
}

function documentClient(options: TableOptions): DynamoDBDocumentClient {
  return (
    options.client ??
    DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } })
  );
}

abstract class TableAdapter {
  protected readonly client: DynamoDBDocumentClient;
  protected readonly table: string;
  constructor(options: TableOptions = {}) {
    this.client = documentClient(options);
    this.table = options.tableName ?? requiredEnv('SLIPWAY_TABLE');
  }
  protected async send<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') throw error;
      rethrowTransient(error, what);
    }
  }
}

export class DynamoTargetStore extends TableAdapter implements TargetStore {
  async put(target: Target): Promise<void> {
    await this.send('saving the target', () =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: 'TARGETS', sk: target.name, config: target, updatedAt: new Date().toISOString() },
        }),
      ),
    );
  }

  async get(name: string): Promise<Target | undefined> {
    const out = await this.send('reading the target', () =>
      this.client.send(new GetCommand({ TableName: this.table, Key: { pk: 'TARGETS', sk: name }, ConsistentRead: true })),
    );
    return out.Item ? parseTarget(out.Item.config) : undefined;
  }

  async list(): Promise<Target[]> {
    const targets: Target[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.send('listing targets', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': 'TARGETS' },
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of out.Items ?? []) targets.push(parseTarget(item.config));
      start = out.LastEvaluatedKey;
    } while (start);
    return targets;
  }
}

function deploymentKey(id: string) {
  return { pk: `DEPLOYMENT#${id}`, sk: 'DEPLOYMENT' };
}

function toDeployment(item: Record<string, unknown>): Deployment {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest as unknown as Deployment;
}

export class DynamoDeploymentStore extends TableAdapter implements DeploymentStore {
  async create(deployment: Deployment): Promise<{ created: boolean; deployment: Deployment }> {
    try {
      await this.send('recording the deployment', () =>
        this.client.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...deploymentKey(deployment.id),
              gsi1pk: `TARGET#${deployment.target}`,
              gsi1sk: `${deployment.requestedAt}#${deployment.id}`,
              ...deployment,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return { created: true, deployment };
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
      const existing = await this.get(deployment.id);
      if (!existing) throw error;
      return { created: false, deployment: existing };
    }
  }

  async get(id: string): Promise<Deployment | undefined> {
    const out = await this.send('reading the deployment', () =>
      this.client.send(new GetCommand({ TableName: this.table, Key: deploymentKey(id), ConsistentRead: true })),
    );
    return out.Item ? toDeployment(out.Item) : undefined;
  }

  async update(id: string, patch: DeploymentPatch, entry: Omit<TimelineEntry, 'at'>): Promise<Deployment | undefined> {
    const now = new Date().toISOString();
    const names: Record<string, string> = { '#timeline': 'timeline', '#updatedAt': 'updatedAt', '#status': 'status' };
    const values: Record<string, unknown> = {
      ':entry': [{ ...entry, at: now }],
      ':now': now,
    };
    const sets = ['#timeline = list_append(#timeline, :entry)', '#updatedAt = :now'];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    // DynamoDB has no "NOT IN list" for a list value, so the terminal statuses are spelled out.
    const terminalPlaceholders = TERMINAL_STATUSES.map((_, i) => `:t${i}`);
    TERMINAL_STATUSES.forEach((s, i) => (values[`:t${i}`] = s));
    try {
      const out = await this.send('updating the deployment', () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: deploymentKey(id),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: `attribute_exists(pk) AND NOT (#status IN (${terminalPlaceholders.join(', ')}))`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return out.Attributes ? toDeployment(out.Attributes) : undefined;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  async listByTarget(target: string, options: { limit?: number } = {}): Promise<Deployment[]> {
    const out = await this.send('listing deployments', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: BY_TARGET_INDEX,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `TARGET#${target}` },
          ScanIndexForward: false,
          Limit: options.limit ?? 50,
        }),
      ),
    );
    return (out.Items ?? []).map(toDeployment);
  }
}

export class DynamoLockStore extends TableAdapter implements LockStore {
  async acquire(target: string, deploymentId: string): Promise<boolean> {
    try {
      await this.send('taking the target lock', () =>
        this.client.send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: `LOCK#${target}`, sk: 'LOCK', holder: deploymentId, acquiredAt: new Date().toISOString() },
            ConditionExpression: 'attribute_not_exists(pk) OR holder = :me',
            ExpressionAttributeValues: { ':me': deploymentId },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async release(target: string, deploymentId: string): Promise<void> {
    try {
      await this.send('releasing the target lock', () =>
        this.client.send(
          new DeleteCommand({
            TableName: this.table,
            Key: { pk: `LOCK#${target}`, sk: 'LOCK' },
            ConditionExpression: 'holder = :me',
            ExpressionAttributeValues: { ':me': deploymentId },
          }),
        ),
      );
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async holder(target: string): Promise<string | undefined> {
    const out = await this.send('reading the target lock', () =>
      this.client.send(new GetCommand({ TableName: this.table, Key: { pk: `LOCK#${target}`, sk: 'LOCK' }, ConsistentRead: true })),
    );
    return out.Item?.holder as string | undefined;
  }
}
