import type { TestProject } from 'vitest/node';
import { startMotoServer, type MotoServer } from '../../dev/moto-server.js';
import { PACKAGE_STAGE, readPackagedTemplate } from './strict-aws/packaged-template.js';
import { describeProblems, startStrictAwsProxy, type StrictAwsProxy } from './strict-aws/proxy.js';
import { rolesFromTemplate } from './strict-aws/roles.js';

let moto: MotoServer | undefined;
let proxy: StrictAwsProxy | undefined;

/**
 * One moto_server for the whole run, behind the strict-AWS proxy (test/support/strict-aws): every
 * test's AWS endpoint is the proxy, which evaluates each slipway function's requests against its
 * packaged IAM role and enforces the limits moto ignores. Tests use unique resource names instead
 * of resets.
 */
export async function setup(project: TestProject): Promise<void> {
  // `serverless package` once per change of serverless.yml/package.json (cached in node_modules/.cache).
  const roles = rolesFromTemplate(readPackagedTemplate(process.cwd()), PACKAGE_STAGE);
  moto = await startMotoServer({ projectRoot: process.cwd() });
  proxy = await startStrictAwsProxy({ motoEndpoint: moto.endpoint, roles });
  project.provide('motoEndpoint', proxy.endpoint);
  project.provide('motoDirectEndpoint', moto.endpoint);
}

/** Fails the run when any slipway function made a request its packaged role does not allow. */
export async function teardown(): Promise<void> {
  const problems = proxy?.problems ?? [];
  const limitHits = proxy?.limitHits ?? [];
  const evaluated = [...(proxy?.evaluated ?? new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b));
  await proxy?.stop();
  process.stderr.write(
    `strict-aws: evaluated ${evaluated.reduce((n, [, count]) => n + count, 0)} requests of ${evaluated.length} functions against their packaged roles` +
      ` (${evaluated.map(([fn, count]) => `${fn} ${count}`).join(', ')}); ${problems.length} denied or unmapped\n`,
  );
  await moto?.stop();
  if (limitHits.length > 0) {
    process.stderr.write(
      `strict-aws answered ${limitHits.length} request(s) with an AWS limit error moto would have accepted:\n` +
        limitHits.map((h) => `- ${h.operation} by ${h.caller}${h.testFile ? ` (${h.testFile})` : ''}: ${h.limit}: ${h.detail}`).join('\n') +
        '\n',
    );
  }
  if (problems.length > 0) {
    // vitest only logs an error thrown here and still exits 0: the exit code is what fails the run.
    process.exitCode = 1;
    process.stderr.write(
      `\nstrict-aws: FAILED: ${problems.length} AWS request(s) by slipway functions would fail in AWS under their packaged IAM roles. ` +
        `Grant what is missing in serverless.yml (or map the operation), then run again:\n${describeProblems(problems)}\n`,
    );
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The AWS endpoint tests use: the strict-AWS proxy in front of moto_server. */
    motoEndpoint: string;
    /** moto_server itself, for the rare test that must bypass the proxy. */
    motoDirectEndpoint: string;
  }
}
