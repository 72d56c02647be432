/**
 * Site staging against `aws s3 sync` of the same tree, in the same run, on the same emulator:
 * wall time and PUT requests for a full release, uploaded bytes and requests for a release with
 * 1% of its files changed, and the invalidation paths that change produces.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { inspectSiteZip } from '../shared/adapters/aws/s3-site-inspector.js';
import { stageChunk } from '../shared/adapters/aws/s3-site-stager.js';
import { createVersionedBucket } from '../dev/provision.js';
import { startMotoServer } from '../dev/moto-server.js';
import { zipFiles } from '../dev/zip.js';
import { DEFAULT_SITE_LIMITS } from '../shared/domain/site/entry-rules.js';
import { headersFor } from '../shared/domain/site/headers.js';
import { planInvalidation } from '../shared/domain/site/invalidation-plan.js';
import { diffManifests, type SiteManifest } from '../shared/domain/site/manifest.js';
import type { StageChunkResult } from '../shared/ports/site.js';
import { LOCAL_MAP_CONCURRENCY } from '../dev/definition.js';
import { startRequestCounter, type RequestCounter } from './request-counter.js';

export interface SiteStagingResult {
  files: number;
  totalBytes: number;
  full: { slipwayMs: number; syncMs: number; slipwayPuts: number; syncPuts: number };
  incremental: {
    changedFiles: number;
    slipwayUploadedBytes: number;
    /** PutObject requests (new bytes). */
    slipwayPuts: number;
    /** CopyObject requests (unchanged files, copied inside S3). */
    slipwayCopies: number;
    syncPuts: number;
    syncUploadedBytes: number;
  };
  invalidationPaths: string[];
}

const CHUNK = 2000;
const MAP_CONCURRENCY = LOCAL_MAP_CONCURRENCY;

function puts(counter: RequestCounter): number {
  return counter.counts.get('s3 PUT') ?? 0;
}

async function stageAll(
  s3: S3Client,
  artifact: { bucket: string; key: string; versionId: string },
  size: number,
  bucket: string,
  prefix: string,
  previous?: SiteManifest,
) {
  const inspection = await inspectSiteZip(s3, artifact, size, DEFAULT_SITE_LIMITS);
  const chunks: { start: number; end: number }[] = [];
  for (let start = 0; start < inspection.entries; start += CHUNK) chunks.push({ start, end: Math.min(inspection.entries, start + CHUNK) });
  const results: StageChunkResult[] = [];
  // As the state machine's Map in dev mode (an inline Map): LOCAL_MAP_CONCURRENCY chunks at once.
  for (let i = 0; i < chunks.length; i += MAP_CONCURRENCY) {
    results.push(
      ...(await Promise.all(
        chunks.slice(i, i + MAP_CONCURRENCY).map((c) =>
          stageChunk(s3, {
            artifact,
            artifactSize: size,
            ...c,
            bucket,
            releasePrefix: prefix,
            ...(previous ? { previous: { releasePrefix: previous.release, files: previous.files } } : {}),
            headersFor: headersFor([]),
          }),
        ),
      )),
    );
  }
  const files = Object.assign({}, ...results.map((r) => r.files)) as SiteManifest['files'];
  return {
    manifest: { release: prefix, createdAt: new Date().toISOString(), files } satisfies SiteManifest,
    uploadedBytes: results.reduce((a, r) => a + r.uploaded.bytes, 0),
    copies: results.reduce((a, r) => a + r.copied.files, 0),
  };
}

function writeTree(root: string, files: Record<string, Buffer>): void {
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), body);
  }
}

/** Runs `aws s3 sync` (asynchronously: the counting proxy it talks to lives in this process). */
async function sync(endpoint: string, dir: string, destination: string): Promise<number> {
  const started = performance.now();
  const child = spawn('aws', ['--endpoint-url', endpoint, 's3', 'sync', '--only-show-errors', dir, destination], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_DEFAULT_REGION: 'us-east-1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`aws s3 sync failed (${code}): ${stderr}`);
  return performance.now() - started;
}

export async function benchSiteStaging(options: { files?: number; bytesPerFile?: number } = {}): Promise<SiteStagingResult> {
  const count = options.files ?? 5000;
  const size = options.bytesPerFile ?? 20 * 1024;
  const moto = await startMotoServer({ projectRoot: process.cwd() });
  const counter = await startRequestCounter(moto.endpoint);
  process.env.AWS_ENDPOINT_URL = counter.url;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'bench';
  process.env.AWS_SECRET_ACCESS_KEY = 'bench';
  try {
    const s3 = new S3Client({ forcePathStyle: true });
    await createVersionedBucket('bench-artifacts');
    await createVersionedBucket('bench-site');
    // Incompressible files, so the zip is as large as the tree (the worst case for both).
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < count; i++) tree[`pages/${Math.floor(i / 100)}/p${i}.html`] = randomBytes(size);
    const zip1 = await zipFiles(tree);
    const put1 = await s3.send(new PutObjectCommand({ Bucket: 'bench-artifacts', Key: 'r1.zip', Body: zip1 }));

    counter.reset();
    const started = performance.now();
    const r1 = await stageAll(s3, { bucket: 'bench-artifacts', key: 'r1.zip', versionId: put1.VersionId! }, zip1.length, 'bench-site', 'r1/');
    const slipwayMs = performance.now() - started;
    const slipwayPuts = puts(counter);

    const dir1 = mkdtempSync(join(tmpdir(), 'slipway-bench-tree-'));
    writeTree(dir1, tree);
    counter.reset();
    const syncMs = await sync(counter.url, dir1, 's3://bench-site/sync/');
    const syncPuts = puts(counter);

    // 1% of the files change
    const changed = Object.keys(tree).filter((_, i) => i % 100 === 0);
    const tree2 = { ...tree };
    for (const path of changed) tree2[path] = randomBytes(size);
    const zip2 = await zipFiles(tree2);
    const put2 = await s3.send(new PutObjectCommand({ Bucket: 'bench-artifacts', Key: 'r2.zip', Body: zip2 }));
    counter.reset();
    const r2 = await stageAll(s3, { bucket: 'bench-artifacts', key: 'r2.zip', versionId: put2.VersionId! }, zip2.length, 'bench-site', 'r2/', {
      ...r1.manifest,
      release: 'r1/',
    });
    const incrementalPuts = puts(counter);

    // `aws s3 sync` after unpacking the new release into a fresh directory, as a CI job would
    const dir2 = mkdtempSync(join(tmpdir(), 'slipway-bench-tree-'));
    writeTree(dir2, tree2);
    counter.reset();
    await sync(counter.url, dir2, 's3://bench-site/sync/');
    const syncIncrementalPuts = puts(counter);

    // A 1-file change on the same site: what gets invalidated
    const onePlan = planInvalidation(
      diffManifests(r1.manifest, {
        ...r1.manifest,
        files: { ...r1.manifest.files, 'pages/0/p0.html': { ...r1.manifest.files['pages/0/p0.html']!, sha256: 'f'.repeat(64) } },
      }),
    );
    return {
      files: count,
      totalBytes: count * size,
      full: { slipwayMs, syncMs, slipwayPuts, syncPuts },
      incremental: {
        changedFiles: changed.length,
        slipwayUploadedBytes: r2.uploadedBytes,
        slipwayPuts: incrementalPuts - r2.copies,
        slipwayCopies: r2.copies,
        syncPuts: syncIncrementalPuts,
        syncUploadedBytes: syncIncrementalPuts * size,
      },
      invalidationPaths: onePlan.paths,
    };
  } finally {
    await counter.close();
    await moto.stop();
  }
}
