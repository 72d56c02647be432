/**
 * The packaged CloudFormation template (test/support/packaged.ts: one `serverless package` per
 * change of the sources, shared with the shipped layer).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGED_STAGE, packagedDir } from '../packaged.js';

export const PACKAGE_STAGE = PACKAGED_STAGE;
const TEMPLATE = 'cloudformation-template-update-stack.json';

export function packagedTemplatePath(root: string): string {
  return join(packagedDir(root), TEMPLATE);
}

export function readPackagedTemplate(root: string): { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> } {
  return JSON.parse(readFileSync(packagedTemplatePath(root), 'utf8'));
}
