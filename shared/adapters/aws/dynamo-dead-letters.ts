import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DeadLetter, DeadLetterStore } from '../../ports/notify.js';
import { TableAdapter } from './dynamo-table.js';

/** Undelivered notifications: pk `DEADLETTER#<target>`, sk `<at>#<deploymentId>#<status>`. */
export class DynamoDeadLetterStore extends TableAdapter implements DeadLetterStore {
  async put(letter: DeadLetter): Promise<void> {
    await this.send('recording the undelivered notification', () =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `DEADLETTER#${letter.target}`, sk: `${letter.at}#${letter.deploymentId}#${letter.status}`, ...letter },
        }),
      ),
    );
  }

  async list(target: string, options: { limit?: number } = {}): Promise<DeadLetter[]> {
    const out = await this.send('listing undelivered notifications', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `DEADLETTER#${target}` },
          ScanIndexForward: false,
          Limit: options.limit ?? 50,
        }),
      ),
    );
    return (out.Items ?? []).map(({ pk: _pk, sk: _sk, ...letter }) => letter as DeadLetter);
  }
}
