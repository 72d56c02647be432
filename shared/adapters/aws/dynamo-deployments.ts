import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  boundEntry,
  boundTimeline,
  REASON_MAX_BYTES,
  TERMINAL_STATUSES,
  TIMELINE_MAX_ENTRIES,
  truncateUtf8,
  type Deployment,
  type TimelineEntry,
} from '../../domain/deployment.js';
import type { DeploymentPatch, DeploymentStore, DeploymentTransition, DeploymentTransitions, UpdateGuards } from '../../ports/index.js';
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

  async update(id: string, patch: DeploymentPatch, entry: Omit<TimelineEntry, 'at'>, options: UpdateGuards = {}): Promise<Deployment | undefined> {
    return (await this.transition(id, patch, entry, options))?.after;
  }

  /**
   * One conditional UpdateItem that returns the item as it was (ALL_OLD); the new record is that
   * item with the same SETs applied, so before and after describe exactly this write. The append
   * is conditional on the timeline having room (TIMELINE_MAX_ENTRIES); a full one is compacted
   * (boundTimeline) in a read-then-write guarded by `updatedAt`, so no write, the terminal one
   * included, can take the item past DynamoDB's 400 KB.
   */
  async transition(
    id: string,
    patch: DeploymentPatch,
    entry: Omit<TimelineEntry, 'at'>,
    options: UpdateGuards = {},
  ): Promise<DeploymentTransition | undefined> {
    const now = new Date().toISOString();
    const appended = boundEntry(Object.fromEntries(Object.entries({ ...entry, at: now }).filter(([, v]) => v !== undefined)) as unknown as TimelineEntry);
    const bounded: DeploymentPatch = patch.reason === undefined ? patch : { ...patch, reason: truncateUtf8(patch.reason, REASON_MAX_BYTES) };
    const appendedWrite = await this.write(id, bounded, now, options, { append: appended });
    if (appendedWrite !== 'timeline full') return appendedWrite;
    // The timeline is full: compact it, guarded by the updatedAt seen, and try again if another write came first.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const current = await this.get(id);
      if (!current) return undefined;
      const timeline = boundTimeline([...(current.timeline ?? []), appended]);
      const compacted = await this.write(id, bounded, now, options, { replace: timeline, seenUpdatedAt: current.updatedAt });
      if (compacted !== 'timeline full') return compacted;
    }
    throw new Error(`deployment ${id} kept changing while its timeline was compacted; try again`);
  }

  /**
   * One UpdateItem. Returns undefined when the record is missing, terminal or (with
   * `unlessCancelRequested`) cancel-requested; 'timeline full' when only the size guard (or the
   * `updatedAt` guard of a compaction) refused it.
   */
  private async write(
    id: string,
    patch: DeploymentPatch,
    now: string,
    options: UpdateGuards,
    timeline: { append: TimelineEntry } | { replace: TimelineEntry[]; seenUpdatedAt: string },
  ): Promise<DeploymentTransition | undefined | 'timeline full'> {
    const names: Record<string, string> = { '#timeline': 'timeline', '#updatedAt': 'updatedAt', '#status': 'status' };
    const applied: Partial<Deployment> = {};
    const values: Record<string, unknown> = { ':now': now };
    const sets = ['#updatedAt = :now'];
    let guard: string;
    if ('append' in timeline) {
      values[':entry'] = [timeline.append];
      values[':room'] = TIMELINE_MAX_ENTRIES;
      sets.unshift('#timeline = list_append(#timeline, :entry)');
      guard = 'size(#timeline) < :room';
    } else {
      values[':timeline'] = timeline.replace;
      values[':seen'] = timeline.seenUpdatedAt;
      sets.unshift('#timeline = :timeline');
      guard = '#updatedAt = :seen';
    }
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      Object.assign(applied, { [field]: value });
      sets.push(`#${field} = :${field}`);
    }
    // DynamoDB has no "NOT IN list" for a list value, so the terminal statuses are spelled out.
    const terminalPlaceholders = TERMINAL_STATUSES.map((_, i) => `:t${i}`);
    for (const [i, s] of TERMINAL_STATUSES.entries()) values[`:t${i}`] = s;
    if (options.onlyIfApprovalPending) {
      names['#approval'] = 'approval';
      names['#approvalState'] = 'state';
      values[':pending'] = 'pending';
    }
    const allowed = `attribute_exists(pk) AND NOT (#status IN (${terminalPlaceholders.join(', ')}))${
      options.unlessCancelRequested ? ' AND attribute_not_exists(cancelRequestedAt)' : ''
    }${options.onlyIfApprovalPending ? ' AND #approval.#approvalState = :pending' : ''}`;
    try {
      const out = await this.send('updating the deployment', () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: deploymentKey(id),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: `${allowed} AND ${guard}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      if (!out.Attributes) return undefined;
      const before = toDeployment(out.Attributes);
      const after = 'append' in timeline ? [...(before.timeline ?? []), timeline.append] : timeline.replace;
      return { before, after: { ...before, ...applied, updatedAt: now, timeline: after } };
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
      // Which guard refused it? Rare enough (a terminal record, a full timeline) to read the item and see.
      const seen = await this.get(id);
      if (!seen || (TERMINAL_STATUSES as readonly string[]).includes(seen.status)) return undefined;
      if (options.unlessCancelRequested && seen.cancelRequestedAt) return undefined;
      if (options.onlyIfApprovalPending && seen.approval?.state !== 'pending') return undefined;
      return 'timeline full';
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
