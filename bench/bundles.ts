/**
 * Per-function bundle size from `serverless package`, and each bundle's cold import time on
 * Node 22 (a fresh process importing the handler module), against importing an empty module in
 * the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { packageService } from '../test/support/package-service.js';
import { readZip } from '../test/package/zip.js';

export interface BundleResult {
  name: string;
  zipBytes: number;
  bundleBytes: number;
  coldImportMs: number;
  /** The same handler bundled with the AWS SDK inlined (not what serverless.yml ships). */
  sdkInlinedBytes: number;
  sdkInlinedImportMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Wall time of `node -e "await import(file)"`, minus nothing: the baseline row is the same process importing an empty module. */
function importTimeMs(file: string, samples: number): number {
  const script = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(file).href)});process.stdout.write(String(performance.now()-t));`;
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1' } });
    if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr}`);
    times.push(Number(run.stdout));
  }
  return median(times);
}

/** `only` limits the import timings to those functions (the package is built whole either way). */
export async function benchBundles(samples = 5, only?: string[]): Promise<{ baselineMs: number; bundles: BundleResult[] }> {
  const root = process.cwd();
  const outDir = mkdtempSync(join(tmpdir(), 'slipway-bench-package-'));
  packageService(root, 'bench', outDir);
  const state = JSON.parse(readFileSync(join(outDir, 'serverless-state.json'), 'utf8')) as {
    service: { functions: Record<string, { handler: string }> };
  };
  const empty = join(outDir, 'empty.mjs');
  writeFileSync(empty, 'export const handler = async () => undefined;\n');
  const baselineMs = importTimeMs(empty, samples);
  const bundles: BundleResult[] = [];
  for (const name of Object.keys(state.service.functions).filter((key) => !only || only.includes(key))) {
    const zipPath = join(outDir, `${name}.zip`);
    const files = await readZip(zipPath);
    const unpacked = join(outDir, 'unpacked', name);
    let entry = '';
    let bundleBytes = 0;
    for (const [file, content] of files) {
      mkdirSync(dirname(join(unpacked, file)), { recursive: true });
      writeFileSync(join(unpacked, file), content);
      if (/\.(mjs|cjs|js)$/.test(file)) {
        entry = join(unpacked, file);
        bundleBytes = content.length;
      }
    }
    // The Lambda runtime provides @aws-sdk/*; the project's node_modules stands in for it.
    symlinkSync(join(root, 'node_modules'), join(unpacked, 'node_modules'), 'dir');
    const inlined = join(outDir, 'inlined', `${name}.mjs`);
    const source = `${state.service.functions[name]!.handler.replace(/\.[^.]+$/, '')}.ts`;
    await build({
      entryPoints: [join(root, source)],
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      outfile: inlined,
      logLevel: 'error',
      banner: { js: "import{createRequire}from'module';const require=createRequire(import.meta.url);" },
    });
    bundles.push({
      name,
      zipBytes: readFileSync(zipPath).length,
      bundleBytes,
      coldImportMs: importTimeMs(entry, samples),
      sdkInlinedBytes: readFileSync(inlined).length,
      sdkInlinedImportMs: importTimeMs(inlined, samples),
    });
  }
  return { baselineMs, bundles };
}
