import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SiteStore } from '../../ports/site.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

/** Reads manifests and plans from a site's origin bucket. */
export class S3SiteReader implements Pick<SiteStore, 'readJson'> {
  protected readonly client: S3Client;

  constructor(options: { client?: S3Client } = {}) {
    this.client = options.client ?? new S3Client({ forcePathStyle: true });
  }

  async readJson(bucket: string, key: string): Promise<unknown | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return JSON.parse(await out.Body!.transformToString('utf8')) as unknown;
    } catch (error) {
      if (errorName(error) === 'NoSuchKey' || errorName(error) === 'NotFound') return undefined;
      rethrowTransient(error, `reading s3://${bucket}/${key}`);
    }
  }
}
