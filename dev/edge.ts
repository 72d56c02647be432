/**
 * The local edge of `slipway dev`: serves site targets from the emulator the way their CloudFront
 * distribution would, so a person can watch a deploy and a rollback in a browser.
 *
 * Every request reads the distribution's current origin path (no caching here: a switch shows on
 * the next request, which is what an invalidation achieves in AWS) and GETs
 * `<origin path without its leading slash>/<path>` from the origin bucket, answering with the
 * object's stored Content-Type, Cache-Control and ETag.
 *
 * Paths: `/` → `index.html` (the distribution's default root object) and `/dir/` → `dir/index.html`
 * (what the usual viewer-request function adds to an S3 REST origin). `/dir` without a slash is
 * served as the object `dir` when one exists, otherwise redirected (301) to `/dir/` when
 * `dir/index.html` exists, so relative links inside the page resolve. A missing object is a 404.
 *
 * Which target: with several site targets, `http://<target>.localhost:<port>/` picks one by name
 * (browsers resolve `*.localhost` to the loopback address); any other host gets the first target.
 *
 * A site canary: while the distribution has a continuous-deployment policy attached and enabled,
 * a request goes to the staging distribution's origin path as CloudFront would route it (the
 * policy's header, or its weight with a sticky session cookie; ./edge-canary.ts). Every answer says
 * which distribution served it in `x-slipway-distribution`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fileOfUrlPath } from '../shared/domain/site/layout.js';
import type { SiteTarget } from '../shared/domain/target.js';
import { CloudFrontOriginReader } from '../shared/adapters/aws/cloudfront-origin-reader.js';
import { errorName } from '../shared/adapters/aws/sdk-errors.js';
import { type CanaryReader, CloudFrontCanaryReader, routeViewer } from './edge-canary.js';

export interface LocalEdge {
  /** `http://127.0.0.1:<port>`: the first target's site. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface LocalEdgeOptions {
  /** 0 picks a free port. */
  port: number;
  targets: SiteTarget[];
  s3?: S3Client;
  origins?: Pick<CloudFrontOriginReader, 'currentOriginPath'>;
  /** A primary's continuous-deployment policy (a site canary). */
  canaries?: CanaryReader;
  /** The draw for a new viewer under a weighted policy, in [0, 1). */
  random?: () => number;
  /** Milliseconds since the epoch, for session stickiness. */
  now?: () => number;
}

export function objectKey(originPath: string, path: string): string {
  const base = originPath.replace(/^\/+|\/+$/g, '');
  return base ? `${base}/${path}` : path;
}

function targetFor(request: IncomingMessage, targets: SiteTarget[]): SiteTarget | undefined {
  const host = (request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const label = host.endsWith('.localhost') ? host.slice(0, -'.localhost'.length) : undefined;
  return targets.find((t) => t.name === label) ?? targets[0];
}

function answer(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  response.end(`${text}\n`);
}

function isMissing(error: unknown): boolean {
  return ['NoSuchKey', 'NotFound'].includes(errorName(error) ?? '');
}

export async function startLocalEdge(options: LocalEdgeOptions): Promise<LocalEdge> {
  const s3 = options.s3 ?? new S3Client({ forcePathStyle: true });
  const origins = options.origins ?? new CloudFrontOriginReader();
  const canaries = options.canaries ?? new CloudFrontCanaryReader();
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;

  async function exists(bucket: string, key: string): Promise<boolean> {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      answer(response, 405, 'method not allowed', { allow: 'GET, HEAD' });
      return;
    }
    const target = targetFor(request, options.targets);
    if (!target) {
      answer(response, 404, 'no site target');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://edge.invalid');
    const path = fileOfUrlPath(url.pathname);
    if (path === undefined) {
      answer(response, 400, 'bad path');
      return;
    }
    const { bucket, distributionId } = target.site;
    const canary = await canaries.canaryOf(distributionId);
    const route = canary ? routeViewer(canary, { headers: request.headers, now: Math.floor(now() / 1000), random }) : { staging: false };
    const servedBy = canary && route.staging ? canary.stagingId : distributionId;
    const originPath = await origins.currentOriginPath(servedBy, bucket);
    const key = objectKey(originPath, path);
    const common: Record<string, string> = { 'x-slipway-target': target.name, 'x-slipway-distribution': servedBy, 'x-slipway-origin-path': originPath };
    if (route.setCookie) common['set-cookie'] = route.setCookie;
    try {
      const ifNoneMatch = request.headers['if-none-match'];
      const object =
        request.method === 'HEAD'
          ? await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...(ifNoneMatch ? { IfNoneMatch: ifNoneMatch } : {}) }))
          : await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(ifNoneMatch ? { IfNoneMatch: ifNoneMatch } : {}) }));
      const headers: Record<string, string> = { ...common };
      if (object.ContentType) headers['content-type'] = object.ContentType;
      if (object.CacheControl) headers['cache-control'] = object.CacheControl;
      if (object.ETag) headers.etag = object.ETag;
      if (object.ContentLength !== undefined) headers['content-length'] = String(object.ContentLength);
      if (object.LastModified) headers['last-modified'] = object.LastModified.toUTCString();
      response.writeHead(200, headers);
      if ('Body' in object && object.Body) await pipeline(object.Body as Readable, response);
      else response.end();
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 304) {
        response.writeHead(304, common).end();
        return;
      }
      if (!isMissing(error)) throw error;
      const last = path.split('/').pop() ?? '';
      if (!last.includes('.') && (await exists(bucket, `${key}/index.html`))) {
        response.writeHead(301, { ...common, location: `${url.pathname}/${url.search}` }).end();
        return;
      }
      answer(response, 404, `not found: /${path} (s3://${bucket}/${key})`, common);
    }
  }

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      // The emulator is down or the distribution lost its origin: a 502, as CloudFront answers.
      if (response.headersSent) response.destroy(error as Error);
      else answer(response, 502, `edge error: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
