/**
 * `slipway dev` killed with SIGKILL (no exit handler runs), then started again on the same ports:
 * its moto_server goes with it, a moto an earlier run left behind is stopped, another holder of a
 * port is named, and against an emulator that outlived it (AWS_ENDPOINT_URL) a deployment it left
 * half way through a canary bake is rolled back at the next start. Fixed, unusual ports
 * (27611–27618, below the kernel's ephemeral range 32768–60999, which other tests' port-0 listeners and
 * outgoing connections draw from), so a restart finds them taken the way a person's second `npm start` would.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureMotoServer, isAlive, startMotoServer, type MotoServer } from '../../dev/moto-server.js';
import { isPortFree } from '../../dev/ports.js';
import { functionPackage } from '../../dev/zip.js';
import type { DeploymentView } from '../../shared/domain/deployment.js';
import { aws, root, slipway, spawnDev, startDev, whenReady, type DevInfo, eventually } from '../support/dev-process.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function workDir(): string {
  const work = mkdtempSync(join(tmpdir(), 'slipway-e2e-crash-'));
  mkdirSync(join(work, '.slipway'), { recursive: true });
  return work;
}

const motoPidOf = (work: string): number => Number(readFileSync(join(work, '.slipway', 'moto.pid'), 'utf8').trim());

/** The target's lock item, or undefined when it is free (get-item prints nothing for a missing item). */
function lockItem(info: DevInfo, target: string): unknown {
  const out = aws(
    info,
    'dynamodb',
    'get-item',
    '--consistent-read',
    '--table-name',
    'slipway-local',
    '--key',
    JSON.stringify({ pk: { S: `LOCK#${target}` }, sk: { S: 'LOCK' } }),
  );
  return out.trim() ? (JSON.parse(out) as { Item?: unknown }).Item : undefined;
}

describe('slipway dev killed with SIGKILL, then started again', () => {
  it('takes its moto_server down with it, and starts again on the same ports past a moto an earlier run left there', async () => {
    // Prepare
    const work = workDir();
    const ports = { SLIPWAY_DEV_AWS_PORT: '27613', SLIPWAY_DEV_API_PORT: '27614' };
    const first = await startDev(work, { env: ports });
    cleanups.push(first.stop);
    const firstMoto = motoPidOf(work);
    // Act: kill -9; nothing of the dev process runs after this
    first.process.child.kill('SIGKILL');
    await first.process.exited;
    const freedIn = Date.now();
    await eventually(async () => ((await isPortFree(27613)) ? true : undefined), 'the moto port to be free', 5000, 100);
    const freedAfterMs = Date.now() - freedIn;
    // Prepare: a moto_server that did survive a run (as before this fix) holds the port, recorded in moto.pid
    const survivor = spawn(ensureMotoServer(root), ['-H', '127.0.0.1', '-p', '27613'], { detached: true, stdio: 'ignore' });
    cleanups.push(() => void (isAlive(survivor.pid!) && process.kill(survivor.pid!, 'SIGKILL')));
    await eventually(async () => ((await isPortFree(27613)) ? undefined : true), 'the survivor to listen', 20_000);
    writeFileSync(join(work, '.slipway', 'moto.pid'), `${survivor.pid}\n`);
    // Act: `npm start` on the same ports
    const second = await startDev(work, { env: ports, npm: true });
    cleanups.push(second.stop);
    const secondMoto = motoPidOf(work);
    const readyOutput = second.process.output();
    const alias = JSON.parse(aws(second.info, 'lambda', 'get-alias', '--function-name', 'hello', '--name', 'live')) as { FunctionVersion: string };
    // Act: kill -9 npm itself; the dev process it started is left behind, re-parented
    second.process.child.kill('SIGKILL');
    await eventually(async () => ((await isPortFree(27613)) && (await isPortFree(27614)) ? true : undefined), 'both ports to be free', 10_000);
    // Assess
    expect(isAlive(firstMoto)).toBe(false);
    expect(freedAfterMs).toBeLessThan(5000);
    expect(readyOutput).toContain(`slipway dev: stopping moto_server (pid ${survivor.pid}) left on port 27613 by an earlier slipway dev`);
    expect(isAlive(survivor.pid!)).toBe(false);
    expect(second.info).toMatchObject({ awsEndpoint: 'http://127.0.0.1:27613', apiUrl: 'http://127.0.0.1:27614' });
    expect(alias.FunctionVersion).toBe('1');
    await eventually(() => (isAlive(secondMoto) ? undefined : true), 'the second moto to stop', 5000);
  });

  it('names the process that holds its port when it is not a moto it started, and starts nothing', async () => {
    // Prepare
    const work = workDir();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(27618, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    // Act
    const dev = spawnDev(work, { env: { SLIPWAY_DEV_API_PORT: '27618' } });
    const code = await dev.exited;
    // Assess
    expect(code).toBe(1);
    expect(dev.output()).toContain(`slipway: port 27618 (SLIPWAY_DEV_API_PORT), where slipway dev wants the API, is in use by pid ${process.pid} (`);
    expect(dev.output()).toContain(`stop it (kill ${process.pid}), or choose another port with SLIPWAY_DEV_API_PORT`);
    expect(dev.output()).not.toContain('unexpected error');
    expect(existsSync(join(work, '.slipway', 'moto.pid'))).toBe(false);
  });

  it('rolls back, at the next start, a canary it was baking when killed, against the emulator that outlived it', async () => {
    // Prepare: an emulator of the user's own, which outlives dev mode: moto_server itself, in its
    // own process (the front startMotoServer adds lives in this test's process, which the
    // synchronous AWS CLI calls below block)
    const work = workDir();
    const moto: MotoServer = await startMotoServer({ projectRoot: root });
    cleanups.push(() => moto.stop());
    const env = { AWS_ENDPOINT_URL: moto.motoEndpoint, SLIPWAY_DEV_API_PORT: '27612' };
    const first = await startDev(work, { env });
    cleanups.push(first.stop);
    const info: DevInfo = first.info;
    const getAlias = () =>
      JSON.parse(aws(info, 'lambda', 'get-alias', '--function-name', 'hello-canary', '--name', 'live')) as {
        FunctionVersion: string;
        RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
      };
    const history = async (): Promise<DeploymentView[]> => JSON.parse((await slipway(work, 'history', 'hello-canary', '--json')).stdout) as DeploymentView[];
    const before = getAlias().FunctionVersion;
    const zip = join(work, 'c2.zip');
    writeFileSync(zip, await functionPackage('hello-canary c2, interrupted'));
    aws(info, 's3', 'cp', zip, `s3://${info.artifactBucket}/releases/hello-canary/c2.zip`);
    const baking = await eventually(async () => {
      const split = getAlias().RoutingConfig?.AdditionalVersionWeights ?? {};
      if (Object.values(split)[0] !== 0.5) return undefined;
      return (await history()).find((d) => d.release === 'c2' && d.status === 'shifting');
    }, 'c2 to bake at 50%');
    // Act: kill -9 in the middle of the 5 s bake
    first.process.child.kill('SIGKILL');
    await first.process.exited;
    const lockAfterKill = lockItem(info, 'hello-canary');
    const splitAfterKill = getAlias().RoutingConfig?.AdditionalVersionWeights ?? {};
    const second = spawnDev(work, { env });
    cleanups.push(async () => {
      if (second.child.exitCode === null && second.child.signalCode === null) {
        second.child.kill('SIGINT');
        await second.exited;
      }
    });
    await whenReady(work, second);
    // Assess: what the kill left
    expect(lockAfterKill).toMatchObject({ holder: { S: baking.id } });
    expect(splitAfterKill).toEqual({ [baking.toVersion!]: 0.5 });
    // Assess: what the restart made of it
    const settled = (await history()).find((d) => d.id === baking.id);
    expect(settled?.status).toBe('rolled_back');
    expect(settled?.reason).toContain('interrupted: slipway dev stopped while this deployment was running; rolled back at the next start');
    expect(settled?.reason).toContain(`alias restored to version ${before}`);
    expect(second.output()).toContain(`slipway dev: hello-canary c2 (${baking.id}) was shifting when slipway dev last stopped: rolled_back`);
    expect(second.output()).not.toContain('DistributionAlreadyExists');
    const after = getAlias();
    expect(after.FunctionVersion).toBe(before);
    expect(after.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    expect(lockItem(info, 'hello-canary')).toBeUndefined();
    // Assess: the target deploys again (the lock is free, the distributions of www and of shop's site reused)
    const distributions = JSON.parse(aws(info, 'cloudfront', 'list-distributions')) as { DistributionList: { Items?: unknown[] } };
    expect(distributions.DistributionList.Items).toHaveLength(2);
    writeFileSync(zip, await functionPackage('hello-canary c3'));
    const c3 = await slipway(work, 'deploy', zip, '--target', 'hello-canary', '--release', 'c3', '--json');
    expect(c3.status, c3.stderr).toBe(0);
    expect(JSON.parse(c3.stdout)).toMatchObject({ release: 'c3', status: 'succeeded' });
  });
});
