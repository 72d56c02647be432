import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requiredEnv } from './env.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

/**
 * One table holds everything (keys `pk`/`sk`, index `byTarget` on `gsi1pk`/`gsi1sk`, index
 * `byTime` on `gsi2pk`/`gsi2sk`):
 * - targets:     pk `TARGETS`, sk `<name>`
 * - deployments: pk `DEPLOYMENT#<id>`, sk `DEPLOYMENT`; gsi1pk `TARGET#<name>`, gsi1sk `<requestedAt>#<id>`;
 *                gsi2pk `DEPLOYMENTS`, gsi2sk `<requestedAt>#<id>` (every deployment, newest first)
 * - locks:       pk `LOCK#<target>`, sk `LOCK`
 * - deploy hooks: pk `HOOK#<id>`, sk `HOOK` (and `RATE`); gsi1pk `HOOKS#<target>` (dynamo-deploy-hooks.ts)
 * - dead letters: pk `DEADLETTER#<target>`, sk `<at>#<deploymentId>#<status>` (webhook notifications never delivered)
 */
export const BY_TARGET_INDEX = 'byTarget';
export const BY_TIME_INDEX = 'byTime';
/**
 * The one partition of `byTime`. Deployments arrive at a human pace (a GSI partition takes
 * 1,000 writes a second), and one partition keeps "newest first across all targets" a single Query.
 */
export const ALL_DEPLOYMENTS_PARTITION = 'DEPLOYMENTS';

export interface TableOptions {
  client?: DynamoDBDocumentClient;
  tableName?: string;
}

function documentClient(options: TableOptions): DynamoDBDocumentClient {
  return options.client ?? DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * The client and error handling the table's stores share. Each store lives in a module of its own
 * so that a bundle imports only the item operations its function sends, and its role grants only
 * those (the lock store's DeleteItem, say, only where locks are released).
 */
export abstract class TableAdapter {
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
