/**
 * Release uploads to the artifact bucket: presigned PUT URLs, and the release objects of a target.
 *
 * A presigned URL carries the signer's permissions (here the API function's role: s3:PutObject on
 * `releases/*`) for exactly one request: the method, key and every signed header. What the URL
 * binds, and what S3 does with it:
 * - `content-length`: S3 reads exactly that many bytes; a different body size no longer matches
 *   the header, and a different header no longer matches the signature (403).
 * - `x-amz-checksum-sha256` (base64 of the declared sha256): S3 hashes the body and refuses a
 *   mismatch (400 BadDigest); leaving the header out breaks the signature.
 * - `if-none-match: *`: S3 refuses the PUT when the key already exists (412), so the URL cannot
 *   overwrite a release, nor be used twice.
 * - `x-amz-meta-sha256` (hex): stored with the object; Prepare checks the zip against it before
 *   anything is deployed, the same check as for any upload that declares its sha256.
 * These headers are kept out of the query string (unhoisted) so the client must send them as
 * headers, and the response can list them for it.
 */
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { PresignedPut, ReleaseObject, ReleaseUploads } from '../../ports/uploads-hooks.js';
import { rethrowTransient } from './sdk-errors.js';
import { NOT_BEFORE_METADATA } from '../../domain/deployment.js';

export interface S3ReleaseUploadsOptions {
  client?: S3Client;
}

export class S3ReleaseUploads implements ReleaseUploads {
  readonly #client: S3Client;

  constructor(options: S3ReleaseUploadsOptions = {}) {
    // Path-style, like S3ArtifactStore: the URL then works against emulators on an IP as well.
    this.#client = options.client ?? new S3Client({ forcePathStyle: true });
  }

  async presignPut(request: {
    bucket: string;
    key: string;
    size: number;
    sha256Hex: string;
    expiresInSeconds: number;
    signedAt: Date;
    notBefore?: string;
  }): Promise<PresignedPut> {
    const headers: Record<string, string> = {
      'content-length': String(request.size),
      'x-amz-checksum-sha256': Buffer.from(request.sha256Hex, 'hex').toString('base64'),
      'x-amz-meta-sha256': request.sha256Hex,
      'if-none-match': '*',
      // A scheduled release: Prepare reads it into the deployment's notBefore.
      ...(request.notBefore ? { [`x-amz-meta-${NOT_BEFORE_METADATA}`]: request.notBefore } : {}),
    };
    const bound = Object.keys(headers);
    const command = new PutObjectCommand({
      Bucket: request.bucket,
      Key: request.key,
      ContentLength: request.size,
      ChecksumSHA256: headers['x-amz-checksum-sha256'],
      Metadata: { sha256: request.sha256Hex, ...(request.notBefore ? { [NOT_BEFORE_METADATA]: request.notBefore } : {}) },
      IfNoneMatch: '*',
    });
    const url = await getSignedUrl(this.#client, command, {
      expiresIn: request.expiresInSeconds,
      signingDate: request.signedAt,
      signableHeaders: new Set(bound),
      unhoistableHeaders: new Set(bound),
    });
    const signed = new URL(url).searchParams.get('X-Amz-SignedHeaders')?.split(';') ?? [];
    const missing = bound.filter((header) => !signed.includes(header));
    // The URL would accept other bodies: never hand it out.
    if (missing.length > 0) throw new Error(`the presigned upload URL does not sign ${missing.join(', ')}`);
    return { url, headers };
  }

  async listObjects(bucket: string, prefix: string): Promise<ReleaseObject[]> {
    const objects: ReleaseObject[] = [];
    let token: string | undefined;
    do {
      const out = await this.#client
        .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))
        .catch((error: unknown) => rethrowTransient(error, `ListObjectsV2 s3://${bucket}/${prefix}`));
      for (const object of out.Contents ?? []) {
        if (object.Key && object.LastModified) objects.push({ key: object.Key, lastModified: object.LastModified });
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }
}
