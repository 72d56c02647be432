import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { TargetRemover } from '../../ports/control.js';
import { TableAdapter } from './dynamo-table.js';
import { errorName } from './sdk-errors.js';

/** Deletes a target's registration; a module of its own so only the API's bundle (and role) has DeleteItem on targets. */
export class DynamoTargetRemover extends TableAdapter implements TargetRemover {
  async remove(name: string): Promise<boolean> {
    try {
      await this.send('deleting the target', () =>
        this.client.send(
          new DeleteCommand({
            TableName: this.table,
            Key: { pk: 'TARGETS', sk: name },
            ConditionExpression: 'attribute_exists(pk)',
          }),
        ),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
