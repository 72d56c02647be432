import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DeploymentOutcome } from '../../domain/delivery-metrics.js';
import type { DeploymentOutcomes, OutcomePage, OutcomeQuery } from '../../ports/outcomes.js';
import { ALL_DEPLOYMENTS_PARTITION, BY_TARGET_INDEX, BY_TIME_INDEX, TableAdapter } from './dynamo-table.js';

/**
 * Query pages read at most for one period. DynamoDB stops a page at 1 MB read before the
 * projection, and records carry their timelines: a page may hold only a few dozen of them.
 */
const MAX_PAGES = 50;

/**
 * The deployments requested in a period, from the byTarget or byTime index: the sort key
 * (`<requestedAt>#<id>`) bounds the read to the period, and the projection leaves the timelines
 * behind, so only the fields the metrics use travel.
 */
export class DynamoDeploymentOutcomes extends TableAdapter implements DeploymentOutcomes {
  async listOutcomes(query: OutcomeQuery): Promise<OutcomePage> {
    const [index, pk, sk, partition] = query.target
      ? [BY_TARGET_INDEX, 'gsi1pk', 'gsi1sk', `TARGET#${query.target}`]
      : [BY_TIME_INDEX, 'gsi2pk', 'gsi2sk', ALL_DEPLOYMENTS_PARTITION];
    const outcomes: DeploymentOutcome[] = [];
    let start: Record<string, unknown> | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages += 1) {
      const out = await this.send('reading the deployments of the period', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: index,
            // `until` itself is left out: every key at that instant is `<until>#<id>`, past `:to`.
            KeyConditionExpression: '#pk = :p AND #sk BETWEEN :from AND :to',
            ProjectionExpression: 'id, #target, #status, #trigger, requestedAt, endedAt',
            ExpressionAttributeNames: { '#pk': pk, '#sk': sk, '#target': 'target', '#status': 'status', '#trigger': 'trigger' },
            ExpressionAttributeValues: { ':p': partition, ':from': query.since.toISOString(), ':to': query.until.toISOString() },
            ScanIndexForward: false,
            Limit: query.limit + 1 - outcomes.length,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      outcomes.push(...((out.Items ?? []) as DeploymentOutcome[]));
      start = out.LastEvaluatedKey;
      if (!start || outcomes.length > query.limit) break;
    }
    const complete = outcomes.length <= query.limit && start === undefined;
    return { outcomes: outcomes.slice(0, query.limit), complete };
  }
}
