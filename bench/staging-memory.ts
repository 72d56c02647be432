/**
 * Peak memory of staging a large site artifact: a child process stages a generated zip of
 * `BENCH_MEMORY_MB` (default 1024) from moto into moto and reports its own peak RSS
 * (`process.resourceUsage().maxRSS`, what `/usr/bin/time -v` calls "Maximum resident set size").
 *
 *   node --import tsx bench/staging-memory.ts            (run by npm run bench)
 *   node --import tsx bench/staging-memory.ts child …    (the measured process)
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import yazl from 'yazl';
import { inspectSiteZip } from '../shared/adapters/aws/s3-site-inspector.js';
import { stageChunk } from '../shared/adapters/aws/s3-site-stager.js';
import { startMotoServer } from '../dev/moto-server.js';
import { createVersionedBucket } from '../dev/provision.js';
import { DEFAULT_SITE_LIMITS } from '../shared/domain/site/entry-rules.js';
import { headersFor } from '../shared/domain/site/headers.js';

const FILE_BYTES = 4 * 1024 * 1024;

/** Writes a zip of incompressible 4 MiB files (stored) to disk without holding it in memory. */
async function writeZip(path: string, totalBytes: number): Promise<void> {
  const zip = new yazl.ZipFile();
  const done = pipeline(zip.outputStream, createWriteStream(path));
  for (let i = 0; i * FILE_BYTES < totalBytes; i++) zip.addBuffer(randomBytes(FILE_BYTES), `media/f${i}.bin`, { compress: false });
  zip.end();
  await done;
}

async function child(bucket: string, key: string, versionId: string, size: number): Promise<void> {
  const s3 = new S3Client({ forcePathStyle: true });
  const artifact = { bucket, key, versionId };
  const started = performance.now();
  const inspection = await inspectSiteZip(s3, artifact, size, { ...DEFAULT_SITE_LIMITS, maxCompressionRatio: 1000 });
  await stageChunk(s3, {
    artifact,
    artifactSize: size,
    start: 0,
    end: inspection.entries,
    bucket: 'bench-memory-site',
    releasePrefix: 'r1/',
    headersFor: headersFor([]),
  });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, seconds, files: inspection.files }));
}

export async function benchStagingMemory(megabytes = Number(process.env.BENCH_MEMORY_MB ?? 1024)) {
  const moto = await startMotoServer({ projectRoot: process.cwd() });
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'bench';
  process.env.AWS_SECRET_ACCESS_KEY = 'bench';
  try {
    await createVersionedBucket('bench-memory-artifacts');
    await createVersionedBucket('bench-memory-site');
    const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-memory-'));
    const stage = async (name: string, bytes: number) => {
      const path = join(dir, name);
      await writeZip(path, bytes);
      const size = statSync(path).size;
      const upload = await new Upload({
        client: new S3Client({ forcePathStyle: true }),
        params: { Bucket: 'bench-memory-artifacts', Key: name, Body: createReadStream(path) },
      }).done();
      const command = [
        process.execPath,
        '--import',
        'tsx',
        import.meta.filename,
        'child',
        'bench-memory-artifacts',
        name,
        upload.VersionId ?? '',
        String(size),
      ];
      // Linux carries a process's peak RSS across fork+exec, so a child forked straight from this
      // (large) process would report our peak as its own: /usr/bin/time sits in between.
      const timed = existsSync('/usr/bin/time');
      const proc = spawn(timed ? '/usr/bin/time' : command[0]!, timed ? ['-v', ...command] : command.slice(1), {
        env: process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
      if (code !== 0) throw new Error(`the staging process exited ${code}: ${err}`);
      const measured = JSON.parse(out) as { maxRssKb: number; seconds: number; files: number };
      const fromTime = /Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1];
      return {
        artifactBytes: size,
        ...measured,
        maxRssKb: fromTime ? Number(fromTime) : measured.maxRssKb,
        measuredBy: fromTime ? '/usr/bin/time -v' : 'process.resourceUsage()',
      };
    };
    // The same process staging one 4 MiB file: what Node, tsx and the SDK take before any staging.
    const baseline = await stage('small.zip', FILE_BYTES);
    const large = await stage('large.zip', megabytes * 1024 * 1024);
    return { baseline, large };
  } finally {
    await moto.stop();
  }
}

if (process.argv[2] === 'child') {
  const [, , , bucket, key, versionId, size] = process.argv;
  await child(bucket!, key!, versionId!, Number(size));
}
