import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LockStore } from '../../ports/index.js';
import { TableAdapter } from './dynamo-table.js';
import { errorName } from './sdk-errors.js';

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
