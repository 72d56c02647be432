/**
 * `serverless package` once per change of what the bundles and the template are built from,
 * shared by the strict-AWS proxy (the packaged roles) and the shipped layer (the bundles), cached
 * under node_modules/.cache. Several vitest projects set up at once: the first packages, the
 * others wait for it (a lock directory), so one run packages once.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageService } from './package-service.js';

/** The stage the cached package is built for; the proxy resolves the roles' names for it. */
export const PACKAGED_STAGE = 'shipped';
const LOCK_STALE_MS = 10 * 60_000;

function sourceFiles(root: string, dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(root, path);
    return /\.(ts|json|mjs)$/.test(entry.name) ? [path] : [];
  });
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The folder holding the template, serverless-state.json and one zip per function. */
export function packagedDir(root: string): string {
  const hash = createHash('sha256');
  const inputs = [
    'serverless.yml',
    'package.json',
    'package-lock.json',
    ...['functions', 'roots', 'shared', 'statemachine'].flatMap((d) => sourceFiles(root, d)),
  ];
  for (const file of inputs.sort())
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(root, file)));
  const cache = join(root, 'node_modules', '.cache', 'slipway-package');
  const dir = join(cache, hash.digest('hex').slice(0, 16));
  const done = join(dir, 'done');
  if (existsSync(done)) return dir;
  mkdirSync(cache, { recursive: true });
  const lock = `${dir}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(done)) return dir;
      // A lock left by a run that was killed mid-package is taken over after a while.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      sleep(500);
    }
  }
  try {
    if (existsSync(done)) return dir;
    const scratch = `${dir}.${process.pid}`;
    rmSync(scratch, { recursive: true, force: true });
    packageService(root, PACKAGED_STAGE, scratch);
    writeFileSync(join(scratch, 'done'), new Date().toISOString());
    rmSync(dir, { recursive: true, force: true });
    renameSync(scratch, dir);
    return dir;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
