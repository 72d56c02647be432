import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ReleaseHistory } from '../../ports/uploads-hooks.js';
import { BY_TARGET_INDEX, TableAdapter } from './dynamo-table.js';

/**
 * Whether a release name was ever deployed, from the target's deployments in the byTarget index.
 * The filter runs after the read, so this reads the target's whole history in the worst case: a
 * few pages for a target with thousands of deployments, and only when an upload is requested.
 */
export class DynamoReleaseHistory extends TableAdapter implements ReleaseHistory {
  async hasDeployment(target: string, release: string): Promise<boolean> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.send('looking up the release in the deployment history', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: BY_TARGET_INDEX,
            KeyConditionExpression: 'gsi1pk = :pk',
            FilterExpression: '#release = :release',
            ProjectionExpression: 'id',
            ExpressionAttributeNames: { '#release': 'release' },
            ExpressionAttributeValues: { ':pk': `TARGET#${target}`, ':release': release },
            ExclusiveStartKey: start,
          }),
        ),
      );
      if ((out.Items ?? []).length > 0) return true;
      start = out.LastEvaluatedKey;
    } while (start);
    return false;
  }
}
