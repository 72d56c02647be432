/**
 * Per-function bundle size from `serverless package` (the cached package the package and shipped
 * layers use), and each bundle's cold import on Node 22: a fresh process importing the handler
 * module, against the same process importing an empty module, timed in the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readZip } from '../test/package/zip.js';
import { packagedDir } from '../test/support/packaged.js';

/**
 * What serverless.yml gives the functions, with made-up names (the package test's LAMBDA_ENV):
 * importing a bundle builds its handler, and the roots throw on a missing variable.
 */
export const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  SLIPWAY_TABLE: 'slipway-ci',
  SLIPWAY_ARTIFACT_BUCKET: 'slipway-ci-artifacts',
  SLIPWAY_EVENT_BUS: 'slipway-ci',
  SLIPWAY_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:deploy-ci',
};

export interface BundleResult {
  name: string;
  zipBytes: number;
  /** The handler's own module. */
  bundleBytes: number;
  /** Every JavaScript file in the zip (a bundle may split off chunks it imports later). */
  jsBytes: number;
  /** Median of the import alone, inside the fresh process. */
  coldImportMs: number;
  /** Median of the whole process: Node's start, the import, the exit. */
  processMs: number;
}

export interface BundlesResult {
  node: string;
  samples: number;
  baselineMs: number;
  baselineProcessMs: number;
  bundles: BundleResult[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** `node -e "await import(file)"`, `samples` times: the import's own time and the process's. */
function importTimes(file: string, samples: number): { importMs: number; processMs: number } {
  const script = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(file).href)});process.stdout.write(String(performance.now()-t));`;
  const imports: number[] = [];
  const processes: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: dirname(file),
      env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });
    processes.push(performance.now() - started);
    if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr}`);
    imports.push(Number(run.stdout));
  }
  return { importMs: median(imports), processMs: median(processes) };
}

/** `only` limits the timings to those functions (the package is cached whole either way). */
export async function benchBundles(samples = 5, only?: string[]): Promise<BundlesResult> {
  const root = process.cwd();
  const packaged = packagedDir(root);
  const state = JSON.parse(readFileSync(join(packaged, 'serverless-state.json'), 'utf8')) as {
    service: { functions: Record<string, { handler: string }> };
  };
  // Unpacked away from the project: no node_modules above a bundle, as in Lambda's /var/task.
  const outDir = mkdtempSync(join(tmpdir(), 'slipway-bench-bundles-'));
  const empty = join(outDir, 'empty.mjs');
  writeFileSync(empty, 'export const handler = async () => undefined;\n');
  const baseline = importTimes(empty, samples);
  const bundles: BundleResult[] = [];
  for (const name of Object.keys(state.service.functions).filter((key) => !only || only.includes(key))) {
    const zipPath = join(packaged, `${name}.zip`);
    const files = await readZip(zipPath);
    const unpacked = join(outDir, name);
    const entryName = `${state.service.functions[name]?.handler.replace(/\.[^.]+$/, '')}.mjs`;
    let jsBytes = 0;
    for (const [file, content] of files) {
      mkdirSync(dirname(join(unpacked, file)), { recursive: true });
      writeFileSync(join(unpacked, file), content);
      if (/\.(mjs|cjs|js)$/.test(file)) jsBytes += content.length;
    }
    const entry = files.get(entryName);
    if (!entry) throw new Error(`${name}.zip holds no ${entryName}; its files: ${[...files.keys()].join(', ')}`);
    const times = importTimes(join(unpacked, entryName), samples);
    bundles.push({
      name,
      zipBytes: readFileSync(zipPath).length,
      bundleBytes: entry.length,
      jsBytes,
      coldImportMs: times.importMs,
      processMs: times.processMs,
    });
  }
  const node = spawnSync(process.execPath, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { node, samples, baselineMs: baseline.importMs, baselineProcessMs: baseline.processMs, bundles };
}
