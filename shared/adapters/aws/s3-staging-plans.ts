import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { StagingChunk, StagingPlanWriter } from '../../ports/site.js';
import { rethrowTransient } from './sdk-errors.js';

/**
 * Writes site staging plans into slipway's artifact bucket (`staging/…`, outside the `releases/`
 * prefix its notifications watch). Its own module with PutObject only: Prepare, which writes the
 * plans, may do nothing else in S3 (the package test derives each role from its bundle's commands).
 */
export class S3StagingPlanWriter implements StagingPlanWriter {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(options: { bucket: string; client?: S3Client }) {
    this.#bucket = options.bucket;
    this.#client = options.client ?? new S3Client({ forcePathStyle: true });
  }

  async writePlan(key: string, chunks: readonly StagingChunk[]): Promise<{ bucket: string; key: string }> {
    try {
      await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: JSON.stringify(chunks), ContentType: 'application/json' }));
    } catch (error) {
      rethrowTransient(error, `writing the staging plan s3://${this.#bucket}/${key}`);
    }
    return { bucket: this.#bucket, key };
  }
}
