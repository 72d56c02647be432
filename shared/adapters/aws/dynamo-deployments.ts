import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TERMINAL_STATUSES, type Deployment, type TimelineEntry } from '../../domain/deployment.js';
import type { DeploymentPatch, DeploymentStore, DeploymentTransition, DeploymentTransitions } from '../../ports/index.js';
import { ALL_DEPLOYMENTS_PARTITION, BY_TARGET_INDEX, TableAdapter } from './dynamo-table.js';
import { errorName } from './sdk-errors.js';

export function deploymentKey(id: string) {
  return { pk: `DEPLOYMENT#${id}`, sk: 'DEPLOYMENT' };
}

export function toDeployment(item: Record<string, unknown>): Deployment {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, gsi2pk: _g3, gsi2sk: _g4, ...rest } = item;
  return rest as unknown as Deployment;
}

export class DynamoDeploymentStore extends TableAdapter implements DeploymentStore, DeploymentTransitions {
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
              gsi2pk: ALL_DEPLOYMENTS_PARTITION,
              gsi2sk: `${deployment.requestedAt}#${deployment.id}`,
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

  async update(
    id: string,
    patch: DeploymentPatch,
    entry: Omit<TimelineEntry, 'at'>,
    options: { unlessCancelRequested?: boolean } = {},
  ): Promise<Deployment | undefined> {
    return (await this.transition(id, patch, entry, options))?.after;
  }

  /**
   * One conditional UpdateItem that returns the item as it was (ALL_OLD); the new record is that
   * item with the same SETs applied, so before and after describe exactly this write.
   */
  async transition(
    id: string,
    patch: DeploymentPatch,
    entry: Omit<TimelineEntry, 'at'>,
    options: { unlessCancelRequested?: boolean } = {},
  ): Promise<DeploymentTransition | undefined> {
    const now = new Date().toISOString();
    const names: Record<string, string> = { '#timeline': 'timeline', '#updatedAt': 'updatedAt', '#status': 'status' };
    const appended = Object.fromEntries(Object.entries({ ...entry, at: now }).filter(([, v]) => v !== undefined)) as unknown as TimelineEntry;
    const applied: Partial<Deployment> = {};
    const values: Record<string, unknown> = {
      ':entry': [appended],
      ':now': now,
    };
    const sets = ['#timeline = list_append(#timeline, :entry)', '#updatedAt = :now'];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      Object.assign(applied, { [field]: value });
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
            ConditionExpression: `attribute_exists(pk) AND NOT (#status IN (${terminalPlaceholders.join(', ')}))${
              options.unlessCancelRequested ? ' AND attribute_not_exists(cancelRequestedAt)' : ''
            }`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      if (!out.Attributes) return undefined;
      const before = toDeployment(out.Attributes);
      return { before, after: { ...before, ...applied, updatedAt: now, timeline: [...(before.timeline ?? []), appended] } };
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
