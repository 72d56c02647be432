import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SiteStore } from '../../ports/site.js';
import { S3SiteReader } from './s3-site-reader.js';
import { rethrowTransient } from './sdk-errors.js';

/** DeleteObjects takes at most 1,000 keys per call. */
const DELETE_BATCH = 1000;
/** Keys named in an error message; the error object carries all of them. */
const KEYS_SHOWN = 10;

export interface DeleteFailure {
  key: string;
  /** S3's error code for the key (AccessDenied, InternalError, …). */
  code: string;
  message?: string;
}

/**
 * DeleteObjects answers 200 even when it deleted none of the keys: each one it could not delete
 * comes back in `Errors`. These are the keys still there after one more try.
 */
export class ObjectsNotDeletedError extends Error {
  constructor(
    readonly bucket: string,
    readonly failures: DeleteFailure[],
  ) {
    const shown = failures.slice(0, KEYS_SHOWN).map((f) => `${f.key} (${f.code}${f.message ? `: ${f.message}` : ''})`);
    const more = failures.length > KEYS_SHOWN ? ` and ${failures.length - KEYS_SHOWN} more` : '';
    super(
      `S3 did not delete ${failures.length} object(s) of s3://${bucket}, also when asked again: ${shown.join(', ')}${more}; ` +
        "they are left in place: for AccessDenied check that slipway's role may s3:DeleteObject there and that no bucket policy or Object Lock forbids it",
    );
    this.name = 'ObjectsNotDeletedError';
  }
}

/** The origin bucket of a site target: release prefixes, manifests and staging records. */
export class S3SiteStore extends S3SiteReader implements SiteStore {
  async writeJson(bucket: string, key: string, value: unknown): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify(value),
          ContentType: 'application/json',
          CacheControl: 'no-store',
        }),
      );
    } catch (error) {
      rethrowTransient(error, `writing s3://${bucket}/${key}`);
    }
  }

  async putFile(bucket: string, key: string, body: string, file: { contentType: string; cacheControl: string; sha256: string }): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: file.contentType,
          CacheControl: file.cacheControl,
          Metadata: { sha256: file.sha256 },
          ChecksumSHA256: Buffer.from(file.sha256, 'hex').toString('base64'),
        }),
      );
    } catch (error) {
      rethrowTransient(error, `writing s3://${bucket}/${key}`);
    }
  }

  async listReleasePrefixes(bucket: string, prefix: string): Promise<string[]> {
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      try {
        const out = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
        for (const p of out.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } catch (error) {
        rethrowTransient(error, `listing s3://${bucket}/${prefix}`);
      }
    } while (token);
    return prefixes;
  }

  async deletePrefix(bucket: string, prefix: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      try {
        const out = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        const keys = (out.Contents ?? []).map((o) => o.Key!).filter(Boolean);
        for (let i = 0; i < keys.length; i += DELETE_BATCH) {
          const batch = keys.slice(i, i + DELETE_BATCH);
          // A key S3 could not delete is often a passing fault (InternalError, SlowDown): one more try.
          const failed = await this.#deleteObjects(bucket, batch);
          const stillFailed =
            failed.length > 0
              ? await this.#deleteObjects(
                  bucket,
                  failed.map((f) => f.key),
                )
              : [];
          if (stillFailed.length > 0) throw new ObjectsNotDeletedError(bucket, stillFailed);
          deleted += batch.length;
        }
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } catch (error) {
        rethrowTransient(error, `deleting s3://${bucket}/${prefix}`);
      }
    } while (token);
    return deleted;
  }

  /** The keys S3 reports it did not delete (Quiet mode: only those come back). */
  async #deleteObjects(bucket: string, keys: string[]): Promise<DeleteFailure[]> {
    const out = await this.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
    return (out.Errors ?? []).map((e) => ({ key: e.Key ?? '(no key)', code: e.Code ?? 'unknown', ...(e.Message ? { message: e.Message } : {}) }));
  }
}
