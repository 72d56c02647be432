/**
 * What a presigned upload URL binds, checked the way S3 checks it: recompute the SigV4 signature
 * from the request the client actually sends (method, path, query, the headers the URL names as
 * signed) and compare. moto does not verify presigned signatures, so this is where the binding to
 * the size, the sha256 and "only a new key" is shown.
 */
import { createHash, createHmac } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3ReleaseUploads } from '../../shared/adapters/aws/s3-release-uploads.js';
import { parseReleaseKey, releaseKey } from '../../shared/domain/artifact-key.js';
import { releaseNameSchema } from '../../shared/http/upload-hook-schemas.js';
import { S3_MAX_PUT_BYTES } from '../../shared/domain/artifact-key.js';
import { maxUploadBytes } from '../../shared/usecases/release-uploads.js';
import { parseTarget } from '../../shared/domain/target.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const region = 'eu-west-1';
const signedAt = new Date('2026-03-01T12:00:00Z');
const body = Buffer.from('PK\u0003\u0004 a release zip');
const sha256 = createHash('sha256').update(body).digest('hex');

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** S3's side of a presigned PUT: true when the signature fits the request as sent. */
function s3Accepts(url: string, sent: Record<string, string>): boolean {
  const parsed = new URL(url);
  const query = [...parsed.searchParams].filter(([name]) => name !== 'X-Amz-Signature');
  const signedHeaders = (parsed.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';');
  const headers: Record<string, string> = { ...Object.fromEntries(Object.entries(sent).map(([k, v]) => [k.toLowerCase(), v])), host: parsed.host };
  if (signedHeaders.some((name) => headers[name] === undefined)) return false; // a signed header was not sent
  const canonicalRequest = [
    'PUT',
    parsed.pathname,
    query
      .map(([k, v]) => [rfc3986(k), rfc3986(v)])
      .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&'),
    ...signedHeaders.map((name) => `${name}:${headers[name]!.trim()}`),
    '',
    signedHeaders.join(';'),
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const amzDate = parsed.searchParams.get('X-Amz-Date')!;
  const scope = parsed.searchParams.get('X-Amz-Credential')!.split('/').slice(1).join('/');
  const [date, scopeRegion, service] = scope.split('/') as [string, string, string];
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), scopeRegion), service), 'aws4_request');
  return hmac(key, stringToSign).toString('hex') === parsed.searchParams.get('X-Amz-Signature');
}

async function presign() {
  const client = new S3Client({ region, credentials, forcePathStyle: true });
  return new S3ReleaseUploads({ client }).presignPut({
    bucket: 'slipway-prod-artifacts-123456789012',
    key: 'releases/checkout/2026-03-01.1.zip',
    size: body.length,
    sha256Hex: sha256,
    expiresInSeconds: 900,
    signedAt,
  });
}

describe('Class: S3ReleaseUploads', () => {
  describe('Method: presignPut', () => {
    it('signs a PUT that S3 accepts with exactly the listed headers, for 15 minutes from the signing time', async () => {
      // Act
      const { url, headers } = await presign();
      // Assess
      const parsed = new URL(url);
      expect(parsed.pathname).toBe('/slipway-prod-artifacts-123456789012/releases/checkout/2026-03-01.1.zip');
      expect(parsed.searchParams.get('X-Amz-Expires')).toBe('900');
      expect(parsed.searchParams.get('X-Amz-Date')).toBe('20260301T120000Z');
      expect(headers).toEqual({
        'content-length': String(body.length),
        'x-amz-checksum-sha256': Buffer.from(sha256, 'hex').toString('base64'),
        'x-amz-meta-sha256': sha256,
        'if-none-match': '*',
      });
      // The bound values are headers the client must send, not query parameters anyone could drop.
      for (const name of Object.keys(headers)) expect(parsed.searchParams.has(name)).toBe(false);
      expect(s3Accepts(url, headers)).toBe(true);
    });

    it.each([
      ['another size', { 'content-length': String(body.length + 1) }],
      ['another sha256', { 'x-amz-checksum-sha256': Buffer.alloc(32, 7).toString('base64') }],
      ['other sha256 metadata', { 'x-amz-meta-sha256': 'f'.repeat(64) }],
      ['permission to overwrite', { 'if-none-match': 'anything' }],
    ])('is refused by the signature when the client declares %s', async (_, changed) => {
      // Prepare
      const { url, headers } = await presign();
      // Act & Assess
      expect(s3Accepts(url, { ...headers, ...changed })).toBe(false);
    });

    it.each(['content-length', 'x-amz-checksum-sha256', 'x-amz-meta-sha256', 'if-none-match'])(
      'is refused by the signature when the client leaves out %s',
      async (header) => {
        // Prepare
        const { url, headers } = await presign();
        const { [header]: _left, ...rest } = headers;
        // Act & Assess
        expect(s3Accepts(url, rest)).toBe(false);
      },
    );

    it('does not care about headers it does not sign (the client may send a Content-Type)', async () => {
      // Prepare
      const { url, headers } = await presign();
      // Act & Assess
      expect(s3Accepts(url, { ...headers, 'content-type': 'application/zip' })).toBe(true);
    });
  });
});

describe('Schema: releaseNameSchema', () => {
  it.each(['r1', '2026-03-01.1', 'v1.2.3_rc-1', 'a'.repeat(128), 'r/1', 'r 1', '', 'a'.repeat(129), 'ü', 'r1.zip/x'])(
    'agrees with intake about "%s"',
    (release) => {
      // Act
      const schemaSays = releaseNameSchema.safeParse(release).success;
      const intakeSays = parseReleaseKey(releaseKey('checkout', release))?.release === release;
      // Assess
      expect(schemaSays).toBe(intakeSays);
    },
  );
});

describe('Function: maxUploadBytes', () => {
  it('is Lambda’s unzipped limit for a function, the target’s limit or one S3 PUT for a site', () => {
    // Prepare
    const fn = parseTarget({ name: 'fn', kind: 'function', function: { name: 'fn' } });
    const site = (limits: object) => parseTarget({ name: 'www', kind: 'site', site: { bucket: 'acme-www', distributionId: 'E1' }, limits });
    // Act & Assess
    expect(maxUploadBytes(fn).bytes).toBe(250 * 1024 * 1024);
    expect(maxUploadBytes(site({ maxUncompressedBytes: 1000 })).bytes).toBe(1000);
    expect(maxUploadBytes(site({})).bytes).toBe(S3_MAX_PUT_BYTES);
    expect(maxUploadBytes(site({ maxUncompressedBytes: 6 * 1024 ** 3 })).bytes).toBe(S3_MAX_PUT_BYTES);
  });
});
