/**
 * Deploy hooks in the one table (see dynamo-table.ts for the whole layout):
 * - a hook:          pk `HOOK#<id>`, sk `HOOK`; gsi1pk `HOOKS#<target>`, gsi1sk `<createdAt>#<id>`
 *                    (revoking removes the index keys, so the index only lists live hooks)
 * - its rate window: pk `HOOK#<id>`, sk `RATE`, `windowStart` (epoch seconds) and `calls`
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DeployHook } from '../../domain/deploy-hook.js';
import type { DeployHookStore, RateDecision, RateWindow } from '../../ports/uploads-hooks.js';
import { BY_TARGET_INDEX, TableAdapter } from './dynamo-table.js';
import { errorName } from './sdk-errors.js';

function hookKey(id: string) {
  return { pk: `HOOK#${id}`, sk: 'HOOK' };
}

function rateKey(id: string) {
  return { pk: `HOOK#${id}`, sk: 'RATE' };
}

function toHook(item: Record<string, unknown>): DeployHook {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest as unknown as DeployHook;
}

function isConditionFailure(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

export class DynamoDeployHookStore extends TableAdapter implements DeployHookStore {
  async create(hook: DeployHook): Promise<void> {
    await this.send('recording the deploy hook', () =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...hookKey(hook.id), gsi1pk: `HOOKS#${hook.target}`, gsi1sk: `${hook.createdAt}#${hook.id}`, ...hook },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(id: string): Promise<DeployHook | undefined> {
    const out = await this.send('reading the deploy hook', () =>
      this.client.send(new GetCommand({ TableName: this.table, Key: hookKey(id), ConsistentRead: true })),
    );
    return out.Item ? toHook(out.Item) : undefined;
  }

  async listByTarget(target: string): Promise<DeployHook[]> {
    const hooks: DeployHook[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.send('listing deploy hooks', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: BY_TARGET_INDEX,
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': `HOOKS#${target}` },
            ScanIndexForward: false,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of out.Items ?? []) hooks.push(toHook(item));
      start = out.LastEvaluatedKey;
    } while (start);
    return hooks;
  }

  async revoke(target: string, id: string, at: Date): Promise<boolean> {
    try {
      await this.send('revoking the deploy hook', () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: hookKey(id),
            // The record stays (who had a hook, and when it was last used); the hash goes.
            UpdateExpression: 'SET #revokedAt = :at REMOVE gsi1pk, gsi1sk, #secretSha256',
            ConditionExpression: 'attribute_exists(pk) AND #target = :target AND attribute_not_exists(#revokedAt)',
            ExpressionAttributeNames: { '#revokedAt': 'revokedAt', '#secretSha256': 'secretSha256', '#target': 'target' },
            ExpressionAttributeValues: { ':at': at.toISOString(), ':target': target },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markUsed(id: string, at: Date): Promise<void> {
    try {
      await this.send('recording the deploy hook call', () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: hookKey(id),
            UpdateExpression: 'SET #lastUsedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#revokedAt)',
            ExpressionAttributeNames: { '#lastUsedAt': 'lastUsedAt', '#revokedAt': 'revokedAt' },
            ExpressionAttributeValues: { ':at': at.toISOString() },
          }),
        ),
      );
    } catch (error) {
      // Revoked between the check and now: the deployment stands, the hook stays revoked.
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * A fixed window per hook, counted with conditional writes only (no read-then-write race):
   * 1. add one call when the stored window is the current one and below the limit;
   * 2. else start the current window at one call, when the stored one is older (or missing);
   * 3. else another call started the current window in between: try step 1 once more.
   * When step 3 fails too, the current window is full.
   */
  async countCall(id: string, at: Date, rate: RateWindow): Promise<RateDecision> {
    const nowSeconds = Math.floor(at.getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % rate.windowSeconds);
    const names = { '#windowStart': 'windowStart', '#calls': 'calls' };
    const addOne = () =>
      this.conditionally(
        new UpdateCommand({
          TableName: this.table,
          Key: rateKey(id),
          UpdateExpression: 'SET #calls = #calls + :one',
          ConditionExpression: '#windowStart = :window AND #calls < :limit',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':one': 1, ':window': windowStart, ':limit': rate.limit },
        }),
      );
    const startWindow = () =>
      this.conditionally(
        new UpdateCommand({
          TableName: this.table,
          Key: rateKey(id),
          UpdateExpression: 'SET #windowStart = :window, #calls = :one',
          ConditionExpression: 'attribute_not_exists(pk) OR #windowStart < :window',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':one': 1, ':window': windowStart },
        }),
      );
    if ((await addOne()) || (await startWindow()) || (await addOne())) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, windowStart + rate.windowSeconds - nowSeconds) };
  }

  /** Sends a conditional update; false when its condition did not hold. */
  private async conditionally(command: UpdateCommand): Promise<boolean> {
    try {
      await this.send('counting the deploy hook call', () => this.client.send(command));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
