/**
 * The packaged CloudFormation template, built once per change of serverless.yml or package.json:
 * `serverless package` into node_modules/.cache/strict-aws/<hash>/, reused by every later run.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { packageService } from '../package-service.js';

export const PACKAGE_STAGE = 'strict';
const TEMPLATE = 'cloudformation-template-update-stack.json';

export function packagedTemplatePath(root: string): string {
  const hash = createHash('sha256');
  for (const file of ['serverless.yml', 'package.json', 'statemachine/deploy.asl.json']) {
    hash.update(file).update('\0').update(existsSync(join(root, file)) ? readFileSync(join(root, file)) : '');
  }
  const cacheRoot = join(root, 'node_modules', '.cache', 'strict-aws');
  const dir = join(cacheRoot, hash.digest('hex').slice(0, 16));
  const template = join(dir, TEMPLATE);
  if (existsSync(template)) return template;
  // Package into a scratch folder and rename it in place, so a run that is stopped halfway, or
  // two projects packaging at once, never leave a half-written cache behind.
  const scratch = `${dir}.${process.pid}.${Date.now()}`;
  mkdirSync(cacheRoot, { recursive: true });
  try {
    packageService(root, PACKAGE_STAGE, scratch);
    if (!existsSync(template)) renameSync(scratch, dir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return template;
}

export function readPackagedTemplate(root: string): { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> } {
  return JSON.parse(readFileSync(packagedTemplatePath(root), 'utf8'));
}
