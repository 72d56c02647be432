/**
 * Synthetic traffic in dev mode (docs/analysis.md § Synthetic traffic): the emulator's Lambda runs
 * no code (its Invoke echoes the event), so CheckHealth's direct invocations of a canary version run
 * that version's own code here, in a worker thread per version (dev/function-sandbox.mjs) with the
 * version's environment variables, and each is written to the emulator's CloudWatch the way Lambda
 * publishes a direct invocation: under Resource `<function>:<version>`, never under the alias.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetFunctionCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import yauzl from 'yauzl';
import { MissingResourceError } from '../shared/domain/errors.js';
import type { SyntheticAnswer, SyntheticInvoker } from '../shared/ports/index.js';
import { LOCAL_ACCOUNT } from './definition.js';
import { feedDirectInvocationMetrics } from './version-metrics-feed.js';

const SANDBOX = join(dirname(fileURLToPath(import.meta.url)), 'function-sandbox.mjs');

interface Sandbox {
  worker: Worker;
  pending: Map<string, (reply: SandboxReply) => void>;
}

type SandboxReply = { ok: true; json: string } | { ok: false; error: { errorType: string; errorMessage: string } };

interface VersionCode {
  /** The handler module's file and its export (`index.handler` → index.mjs, `handler`). */
  file: string;
  exportName: string;
  environment: Record<string, string>;
  timeoutMs: number;
}

export interface LocalSyntheticInvokerOptions {
  /** The bucket Stage's UpdateFunctionCode took each version's zip from. */
  artifactBucket: string;
  /** Where the versions' code is unpacked (.slipway/functions). */
  codeDir: string;
  region: string;
  lambda?: LambdaClient;
  s3?: S3Client;
  cloudWatch?: CloudWatchClient;
  log?: (line: string) => void;
}

export class LocalSyntheticInvoker implements SyntheticInvoker {
  private readonly lambda: LambdaClient;
  private readonly s3: S3Client;
  private readonly cloudWatch: CloudWatchClient;
  private readonly code = new Map<string, Promise<VersionCode>>();
  private readonly sandboxes = new Map<string, Sandbox>();

  constructor(private readonly options: LocalSyntheticInvokerOptions) {
    this.lambda = options.lambda ?? new LambdaClient({});
    this.s3 = options.s3 ?? new S3Client({ forcePathStyle: true });
    this.cloudWatch = options.cloudWatch ?? new CloudWatchClient({});
  }

  async invoke(fn: string, version: string, event: unknown, timeoutMs: number): Promise<SyntheticAnswer> {
    const key = `${fn}:${version}`;
    let code = this.code.get(key);
    if (!code) {
      code = this.unpack(fn, version);
      this.code.set(key, code);
      code.catch(() => this.code.delete(key));
    }
    const resolved = await code;
    const started = Date.now();
    const answer = await this.run(fn, version, resolved, event, Math.min(timeoutMs, resolved.timeoutMs));
    await feedDirectInvocationMetrics(this.cloudWatch, {
      fn,
      version,
      at: new Date(),
      invocations: 1,
      errors: answer.outcome === 'failed' ? 1 : 0,
      durationsMs: [Date.now() - started],
    });
    return answer;
  }

  /** Ends every version's worker (dev mode's stop). */
  async stop(): Promise<void> {
    const workers = [...this.sandboxes.values()].map((s) => s.worker);
    this.sandboxes.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private async run(fn: string, version: string, code: VersionCode, event: unknown, timeoutMs: number): Promise<SyntheticAnswer> {
    const key = `${fn}:${version}`;
    const sandbox = this.sandboxes.get(key) ?? this.start(fn, version, code);
    const id = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const reply = await new Promise<SandboxReply | 'expired'>((resolveReply) => {
      sandbox.pending.set(id, resolveReply);
      timer = setTimeout(() => resolveReply('expired'), timeoutMs);
      sandbox.worker.postMessage({ id, event });
    });
    clearTimeout(timer);
    sandbox.pending.delete(id);
    if (reply === 'expired') {
      // As Lambda ends a sandbox whose invocation timed out: the next one starts cold.
      this.sandboxes.delete(key);
      void sandbox.worker.terminate();
      return { outcome: 'failed', why: `did not answer within ${timeoutMs} ms` };
    }
    if (!reply.ok) return { outcome: 'failed', why: `failed (Unhandled): ${reply.error.errorType}: ${reply.error.errorMessage}` };
    let payload: unknown = reply.json;
    try {
      payload = JSON.parse(reply.json);
    } catch {
      // JSON.stringify's output always parses; kept as text otherwise
    }
    return { outcome: 'answered', payload };
  }

  private start(fn: string, version: string, code: VersionCode): Sandbox {
    const key = `${fn}:${version}`;
    const worker = new Worker(SANDBOX, {
      workerData: {
        file: code.file,
        exportName: code.exportName,
        functionName: fn,
        version,
        arn: `arn:aws:lambda:${this.options.region}:${LOCAL_ACCOUNT}:function:${fn}:${version}`,
        timeoutMs: code.timeoutMs,
      },
      env: {
        ...code.environment,
        AWS_LAMBDA_FUNCTION_NAME: fn,
        AWS_LAMBDA_FUNCTION_VERSION: version,
        AWS_REGION: this.options.region,
        // The function's own AWS calls reach the emulator, as they would reach AWS.
        ...(process.env.AWS_ENDPOINT_URL ? { AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL } : {}),
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
    });
    worker.unref();
    const sandbox: Sandbox = { worker, pending: new Map() };
    worker.on('message', ({ id, ...reply }: { id: string } & SandboxReply) => sandbox.pending.get(id)?.(reply as SandboxReply));
    const crashed = (error?: unknown) => {
      if (this.sandboxes.get(key) === sandbox) this.sandboxes.delete(key);
      this.options.log?.(`slipway dev: the sandbox of ${key} exited${error instanceof Error ? `: ${error.message}` : ''}`);
      for (const settle of sandbox.pending.values()) settle({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: 'the runtime exited' } });
    };
    worker.on('error', crashed);
    // terminate() ends a worker with code 1; an uncaught error has reported itself as 'error' already.
    worker.on('exit', (code) => (code !== 0 && code !== 1 ? crashed() : undefined));
    this.sandboxes.set(key, sandbox);
    return sandbox;
  }

  /**
   * The version's code, from the artifact bucket: moto's GetFunction names the S3 key the function's
   * latest code came from (the canary's, since it was published last), and the zip there is checked
   * against the version's CodeSha256, each stored object version tried.
   */
  private async unpack(fn: string, version: string): Promise<VersionCode> {
    const config = await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: version }));
    const location = (await this.lambda.send(new GetFunctionCommand({ FunctionName: fn, Qualifier: version }))).Code?.Location;
    const codeSha = config.CodeSha256 ?? '';
    const key = location ? decodeURIComponent(new URL(location).pathname.slice(1)) : undefined;
    const zip = key ? await this.findZip(key, codeSha) : undefined;
    if (!zip) {
      throw new MissingResourceError(
        `dev mode could not find the code of ${fn}:${version} (CodeSha256 ${codeSha}) in s3://${this.options.artifactBucket}/${key ?? '(no key)'}: ` +
          'synthetic traffic runs only versions slipway staged from the artifact bucket',
      );
    }
    const dir = join(this.options.codeDir, fn, `${version}-${Buffer.from(codeSha, 'base64').toString('hex').slice(0, 12)}`);
    await unzipTo(zip, dir);
    const handler = config.Handler ?? 'index.handler';
    const dot = handler.lastIndexOf('.');
    const base = join(dir, handler.slice(0, dot));
    const file = ['.mjs', '.js', '.cjs'].map((ext) => `${base}${ext}`).find((f) => existsSync(f));
    if (!file) throw new MissingResourceError(`${fn}:${version} has no module for its handler ${handler} (looked for ${base}.mjs, .js and .cjs)`);
    return {
      file,
      exportName: handler.slice(dot + 1),
      environment: config.Environment?.Variables ?? {},
      timeoutMs: (config.Timeout ?? 3) * 1000,
    };
  }

  private async findZip(key: string, codeSha: string): Promise<Buffer | undefined> {
    const Bucket = this.options.artifactBucket;
    const matches = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64') === codeSha;
    const read = async (VersionId?: string) => {
      const out = await this.s3.send(new GetObjectCommand({ Bucket, Key: key, ...(VersionId ? { VersionId } : {}) }));
      return Buffer.from(await (out.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
    };
    try {
      const latest = await read();
      if (matches(latest)) return latest;
    } catch (error) {
      if ((error as Error).name !== 'NoSuchKey') throw error;
      return undefined;
    }
    const versions = (await this.s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: key }))).Versions ?? [];
    for (const v of versions.filter((v) => v.Key === key && v.VersionId)) {
      const bytes = await read(v.VersionId);
      if (matches(bytes)) return bytes;
    }
    return undefined;
  }
}

/** Writes a zip's files under `dir`; an entry that would land outside it is refused. */
function unzipTo(zip: Buffer, dir: string): Promise<void> {
  const root = resolve(dir);
  return new Promise((done, fail) =>
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, archive) => {
      if (error) return fail(error);
      archive.on('entry', (entry: yauzl.Entry) => {
        const target = resolve(root, entry.fileName);
        if (target !== root && !target.startsWith(root + sep)) return fail(new Error(`zip entry ${entry.fileName} would land outside ${root}`));
        if (entry.fileName.endsWith('/')) {
          mkdirSync(target, { recursive: true });
          return archive.readEntry();
        }
        archive.openReadStream(entry, async (failed, stream) => {
          if (failed) return fail(failed);
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, Buffer.concat(await stream.toArray()));
          archive.readEntry();
        });
      });
      archive.on('end', () => done());
      archive.on('error', fail);
      archive.readEntry();
    }),
  );
}
