import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { parseTarget, type Target } from '../../domain/target.js';
import type { TargetStore } from '../../ports/index.js';
import { TableAdapter } from './dynamo-table.js';

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
