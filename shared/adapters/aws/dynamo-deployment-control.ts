import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { InvalidCursorError } from '../../domain/control.js';
import { TERMINAL_STATUSES, type TimelineEntry } from '../../domain/deployment.js';
import type { ControlOutcome, ControlRequest, DeploymentControl, DeploymentHistory, DeploymentPage, DeploymentQuery } from '../../ports/control.js';
import { deploymentKey, toDeployment } from './dynamo-deployments.js';
import { ALL_DEPLOYMENTS_PARTITION, BY_TARGET_INDEX, BY_TIME_INDEX, TableAdapter } from './dynamo-table.js';
import { errorName } from './sdk-errors.js';

/** Query pages read for one listing page at most; a status or trigger filter that skips more returns early with a cursor. */
const MAX_PAGES_PER_LISTING = 10;
/** Items read per Query page when a status or trigger filter may skip some. */
const FILTERED_PAGE_SIZE = 100;
const MAX_CURSOR_LENGTH = 2048;

interface Listing {
  index: typeof BY_TARGET_INDEX | typeof BY_TIME_INDEX;
  partitionAttribute: 'gsi1pk' | 'gsi2pk';
  sortAttribute: 'gsi1sk' | 'gsi2sk';
  partition: string;
}

function listingOf(query: Pick<DeploymentQuery, 'target'>): Listing {
  return query.target
    ? { index: BY_TARGET_INDEX, partitionAttribute: 'gsi1pk', sortAttribute: 'gsi1sk', partition: `TARGET#${query.target}` }
    : { index: BY_TIME_INDEX, partitionAttribute: 'gsi2pk', sortAttribute: 'gsi2sk', partition: ALL_DEPLOYMENTS_PARTITION };
}

const keyPart = z.string().min(1).max(400);
const cursorSchema = z
  .object({
    v: z.literal(1),
    i: z.enum([BY_TARGET_INDEX, BY_TIME_INDEX]),
    k: z.record(z.string(), keyPart),
  })
  .strict();

/** The position after which the next page starts: the table keys and the index keys of one deployment item. */
function positionOf(item: Record<string, unknown>, listing: Listing): Record<string, string> {
  return {
    pk: String(item.pk),
    sk: String(item.sk),
    [listing.partitionAttribute]: String(item[listing.partitionAttribute]),
    [listing.sortAttribute]: String(item[listing.sortAttribute]),
  };
}

export function encodeCursor(listing: Pick<Listing, 'index'>, key: Record<string, string>): string {
  return Buffer.from(JSON.stringify({ v: 1, i: listing.index, k: key }), 'utf8').toString('base64url');
}

/**
 * The ExclusiveStartKey a cursor stands for, checked to be one this listing can have handed out:
 * base64url JSON of the right shape, for the same index and partition, naming a deployment item.
 */
export function decodeCursor(cursor: string, listing: Listing): Record<string, string> {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError('not a cursor this API handed out');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor this API handed out');
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success) throw new InvalidCursorError('not a cursor this API handed out');
  const { i, k } = result.data;
  if (i !== listing.index || k[listing.partitionAttribute] !== listing.partition) {
    throw new InvalidCursorError(`it belongs to another listing (${i === BY_TIME_INDEX ? 'all deployments' : 'another target'})`);
  }
  const expected = ['pk', 'sk', listing.partitionAttribute, listing.sortAttribute].sort();
  if (JSON.stringify(Object.keys(k).sort()) !== JSON.stringify(expected) || !k.pk!.startsWith('DEPLOYMENT#') || k.sk !== 'DEPLOYMENT') {
    throw new InvalidCursorError('not a cursor this API handed out');
  }
  return k;
}

/** Cancel and promote requests, and paged history: the API's writes and reads beyond plain records. */
export class DynamoDeploymentControl extends TableAdapter implements DeploymentControl, DeploymentHistory {
  async requestCancel(id: string, request: ControlRequest): Promise<ControlOutcome> {
    const terminal = Object.fromEntries(TERMINAL_STATUSES.map((s, i) => [`:t${i}`, s]));
    return this.conditionalRequest(
      id,
      { cancelRequestedAt: request.at, cancelRequestedBy: request.by, cancelReason: request.reason },
      {
        step: 'cancel',
        message: `cancel requested by ${request.by ?? 'an unidentified caller'}${request.reason ? `: ${request.reason}` : ''}`,
        ...(request.by ? { requestedBy: request.by } : {}),
        ...(request.reason ? { reason: request.reason } : {}),
      },
      `NOT (#status IN (${Object.keys(terminal).join(', ')})) AND attribute_not_exists(cancelRequestedAt)`,
      terminal,
      request.at,
    );
  }

  async requestPromote(id: string, request: ControlRequest): Promise<ControlOutcome> {
    return this.conditionalRequest(
      id,
      { promotedAt: request.at, promotedBy: request.by, promoteReason: request.reason },
      {
        step: 'promote',
        message: `promote requested by ${request.by ?? 'an unidentified caller'}${request.reason ? `: ${request.reason}` : ''}; the remaining bake is skipped and traffic goes to 100%`,
        ...(request.by ? { requestedBy: request.by } : {}),
        ...(request.reason ? { reason: request.reason } : {}),
      },
      'attribute_not_exists(promotedAt) AND attribute_not_exists(cancelRequestedAt) AND ' +
        '(#status = :shifting OR (#status = :verifying AND bakeEndsAt > :at))',
      { ':shifting': 'shifting', ':verifying': 'verifying' },
      request.at,
    );
  }

  async requestStart(id: string, request: ControlRequest): Promise<ControlOutcome> {
    return this.conditionalRequest(
      id,
      { startNowAt: request.at, startNowBy: request.by, startNowReason: request.reason },
      {
        step: 'promote',
        message: `start requested by ${request.by ?? 'an unidentified caller'}${request.reason ? `: ${request.reason}` : ''}; the deploy window, freezes and schedule no longer hold it back`,
        ...(request.by ? { requestedBy: request.by } : {}),
        ...(request.reason ? { reason: request.reason } : {}),
      },
      'attribute_not_exists(startNowAt) AND attribute_not_exists(cancelRequestedAt) AND (#status = :queued OR #status = :waiting)',
      { ':queued': 'queued', ':waiting': 'waiting' },
      request.at,
    );
  }

  /** Sets the fields and appends the entry when `condition` holds; reads the record either way. */
  private async conditionalRequest(
    id: string,
    fields: Record<string, string | undefined>,
    entry: Omit<TimelineEntry, 'at'>,
    condition: string,
    conditionValues: Record<string, string>,
    at: string,
  ): Promise<ControlOutcome> {
    const names: Record<string, string> = { '#status': 'status', '#timeline': 'timeline', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ...conditionValues, ':entry': [{ ...entry, at }], ':at': at };
    const sets = ['#timeline = list_append(#timeline, :entry)', '#updatedAt = :at'];
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    try {
      const out = await this.send('recording the request on the deployment', () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: deploymentKey(id),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: `attribute_exists(pk) AND ${condition}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { recorded: true, ...(out.Attributes ? { deployment: toDeployment(out.Attributes) } : {}) };
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
      const current = await this.send('reading the deployment', () =>
        this.client.send(new GetCommand({ TableName: this.table, Key: deploymentKey(id), ConsistentRead: true })),
      );
      return { recorded: false, ...(current.Item ? { deployment: toDeployment(current.Item) } : {}) };
    }
  }

  /**
   * Newest first from one index: `byTarget` for a target, `byTime` for all, within the period.
   * With a status or trigger filter, reads on until the page is full, the index ends, or MAX_PAGES_PER_LISTING pages were read.
   * One more match than asked for is read, so the last page says so (no cursor to an empty page).
   */
  async listPage(query: DeploymentQuery): Promise<DeploymentPage> {
    const listing = listingOf(query);
    let start = query.cursor ? decodeCursor(query.cursor, listing) : undefined;
    const statuses = query.statuses && query.statuses.length > 0 ? [...new Set(query.statuses)] : undefined;
    const triggers = query.triggers && query.triggers.length > 0 ? [...new Set(query.triggers)] : undefined;
    const names: Record<string, string> = { '#p': listing.partitionAttribute };
    const values: Record<string, unknown> = { ':p': listing.partition };
    const filters: string[] = [];
    if (statuses) {
      names['#status'] = 'status';
      for (const [i, s] of statuses.entries()) values[`:s${i}`] = s;
      filters.push(`#status IN (${statuses.map((_, i) => `:s${i}`).join(', ')})`);
    }
    if (triggers) {
      names['#trigger'] = 'trigger';
      for (const [i, t] of triggers.entries()) values[`:t${i}`] = t;
      filters.push(`#trigger IN (${triggers.map((_, i) => `:t${i}`).join(', ')})`);
    }
    // Both indexes sort by `<requestedAt>#<id>`: a period is a key condition, read no further than it.
    // BETWEEN is inclusive, yet no key equals a bare time (each has its `#<id>`): [since, until).
    let keyCondition = '#p = :p';
    if (query.requestedSince !== undefined || query.requestedUntil !== undefined) {
      names['#s'] = listing.sortAttribute;
      values[':since'] = query.requestedSince ?? '0';
      values[':until'] = query.requestedUntil ?? '~';
      keyCondition += ' AND #s BETWEEN :since AND :until';
    }
    const filtered = filters.length > 0;
    const matches: Record<string, unknown>[] = [];
    let pages = 0;
    while (matches.length <= query.limit && pages < MAX_PAGES_PER_LISTING) {
      const out = await this.send('listing deployments', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: listing.index,
            KeyConditionExpression: keyCondition,
            ...(filtered ? { FilterExpression: filters.join(' AND ') } : {}),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ScanIndexForward: false,
            Limit: filtered ? FILTERED_PAGE_SIZE : query.limit + 1 - matches.length,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      pages += 1;
      matches.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey as Record<string, string> | undefined;
      if (!start) break;
    }
    if (matches.length > query.limit) {
      const page = matches.slice(0, query.limit);
      return { deployments: page.map(toDeployment), nextCursor: encodeCursor(listing, positionOf(page[page.length - 1]!, listing)) };
    }
    // The index ended, or the filter skipped too much to fill the page in one call: go on from where reading stopped.
    return { deployments: matches.map(toDeployment), ...(start ? { nextCursor: encodeCursor(listing, positionOf(start, listing)) } : {}) };
  }
}
