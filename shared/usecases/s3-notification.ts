import type { ObjectCreated } from './intake.js';

interface S3EventRecord {
  eventName?: string;
  eventTime?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; versionId?: string; eTag?: string } };
}

/**
 * Reads the ObjectCreated records out of an S3 event notification (the body of an intake queue
 * message). S3's `s3:TestEvent`, other event types and malformed bodies give no records: they are
 * logged by the caller and dropped, never retried forever. A record without a usable event time
 * is stamped `now`.
 */
export function objectsCreated(body: string, now: Date): { objects: ObjectCreated[]; problem?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { objects: [], problem: 'message body is not JSON' };
  }
  const records = (parsed as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) {
    const event = (parsed as { Event?: string })?.Event;
    return { objects: [], problem: event === 's3:TestEvent' ? undefined : 'message is not an S3 event notification' };
  }
  const objects: ObjectCreated[] = [];
  let incomplete = 0;
  for (const record of records as S3EventRecord[]) {
    if (!record?.eventName?.startsWith('ObjectCreated:')) continue;
    const bucket = record.s3?.bucket?.name;
    const rawKey = record.s3?.object?.key;
    if (!bucket || !rawKey) {
      incomplete += 1;
      continue;
    }
    objects.push({
      bucket,
      rawKey,
      ...(record.s3?.object?.versionId ? { versionId: record.s3.object.versionId } : {}),
      ...(record.s3?.object?.eTag ? { etag: record.s3.object.eTag } : {}),
      eventTime: normalizeTime(record.eventTime, now),
    });
  }
  return incomplete ? { objects, problem: `${incomplete} ObjectCreated record(s) name no bucket or key` } : { objects };
}

/** Event times order releases, so they must compare as strings: always ISO 8601 in UTC. */
function normalizeTime(time: string | undefined, now: Date): string {
  if (!time) return now.toISOString();
  const withZone = /(Z|[+-]\d\d:?\d\d)$/.test(time) ? time : `${time}Z`;
  const parsed = new Date(withZone);
  return Number.isNaN(parsed.getTime()) ? now.toISOString() : parsed.toISOString();
}
