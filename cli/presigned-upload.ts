import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { ReleaseUpload } from '../shared/http/contract.js';
import type { ReleaseArtifact } from './artifact.js';
import { CliError } from './errors.js';

/** S3 (or the emulator) refused the PUT. */
export class UploadRejectedError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message, 1);
  }
}

/** Without a byte moving for this long the upload is given up (not the whole upload's duration). */
const IDLE_TIMEOUT_MS = 60_000;

/**
 * PUTs the artifact to a presigned URL with exactly the headers the API returned (Content-Length
 * set, never chunked: S3 refuses chunked uploads to presigned URLs), streaming from disk and
 * reporting the bytes handed to the socket. node:http rather than fetch: fetch decides
 * Content-Length itself and cannot report upload progress.
 */
export function putToPresignedUrl(
  presigned: Pick<ReleaseUpload, 'url' | 'method' | 'headers'>,
  artifact: Pick<ReleaseArtifact, 'file' | 'size'>,
  onProgress: (sentBytes: number) => void = () => {},
): Promise<{ versionId?: string; etag?: string }> {
  const url = new URL(presigned.url);
  const transport = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(presigned.headers)) headers[name.toLowerCase()] = value;
  if (headers['content-length'] !== undefined && headers['content-length'] !== String(artifact.size)) {
    return Promise.reject(
      new CliError(`the upload URL is bound to ${headers['content-length']} bytes but the release has ${artifact.size}; the file changed while deploying?`, 1),
    );
  }
  headers['content-length'] = String(artifact.size);

  return new Promise((resolve, reject) => {
    const request = transport.request(url, { method: presigned.method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          const versionId = header(response.headers['x-amz-version-id']);
          const etag = header(response.headers.etag);
          resolve({ ...(versionId && versionId !== 'null' ? { versionId } : {}), ...(etag ? { etag } : {}) });
          return;
        }
        reject(rejection(status, Buffer.concat(chunks).toString('utf8'), url));
      });
    });
    request.setTimeout(IDLE_TIMEOUT_MS, () => request.destroy(new Error(`no progress for ${IDLE_TIMEOUT_MS / 1000}s`)));
    request.on('error', (error: NodeJS.ErrnoException) => {
      source.destroy();
      reject(new CliError(`upload to ${url.origin} failed: ${error.code ?? error.message}`, 1, { cause: error }));
    });

    const source = createReadStream(artifact.file);
    let sent = 0;
    source.on('data', (chunk) => {
      sent += chunk.length;
      onProgress(sent);
    });
    source.on('error', (error) => request.destroy(error));
    source.pipe(request);
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** S3's XML error (`<Code>BadDigest</Code><Message>…</Message>`) as a sentence, with what to do. */
function rejection(status: number, body: string, url: URL): UploadRejectedError {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? (body.trim().slice(0, 300) || `HTTP ${status}`);
  const hints: Record<string, string> = {
    BadDigest: 'the bytes sent do not match the declared sha256; the file changed while deploying?',
    XAmzContentChecksumMismatch: 'the bytes sent do not match the declared sha256; the file changed while deploying?',
    InvalidDigest: 'the declared sha256 is not what the upload sent',
    IncompleteBody: 'fewer bytes arrived than declared; retry',
    AccessDenied: /expired/i.test(message) ? 'the upload URL expired (it is valid 15 minutes); run the deploy again' : 'the upload URL was refused',
    SignatureDoesNotMatch: 'the upload URL and the headers sent do not match',
  };
  const hint = code ? hints[code] : undefined;
  return new UploadRejectedError(
    status,
    code,
    `upload to ${url.origin}${url.pathname} refused (HTTP ${status}${code ? ` ${code}` : ''}): ${message}${hint ? `; ${hint}` : ''}`,
  );
}
