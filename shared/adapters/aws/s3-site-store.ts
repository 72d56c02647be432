import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SiteStore } from '../../ports/site.js';
import { S3SiteReader } from './s3-site-reader.js';
import { rethrowTransient } from './sdk-errors.js';

/** DeleteObjects takes at most 1,000 keys per call. */
const DELETE_BATCH = 1000;

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

  async listReleasePrefixes(bucket: string, prefix: string): Promise<string[]> {
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      try {
        const out = await this.client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
        );
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
          await this.client.send(
            new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
          );
          deleted += batch.length;
        }
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } catch (error) {
        rethrowTransient(error, `deleting s3://${bucket}/${prefix}`);
      }
    } while (token);
    return deleted;
  }
}
