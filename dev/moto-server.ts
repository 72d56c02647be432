/**
 * Starts moto_server on a loopback port and waits until it answers. Used by the vitest
 * globalSetup, by `slipway dev` and by the benchmarks. Where moto_server is not on PATH, a pinned
 * moto[server] is installed into .slipway/venv first (see ensureMotoServer).
 *
 * The emulator must not outlive the process that started it, even one killed with SIGKILL (which
 * runs no exit handler): it runs in its own process group, and through a small Python launcher
 * that asks the kernel to send it SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG, Linux),
 * or, where there is no prctl, stays as a watchdog that polls its parent and stops moto when the
 * parent is gone. Node has no preexec hook, hence the launcher.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startEmulatorFront, type Supplement } from './emulator/front.js';
import { SUPPLEMENTS } from './emulator/supplements.js';

const MOTO_VERSION = '5.2.1';

export interface MotoServer {
  /** The emulator front's (./emulator/front.ts): moto, plus the operations it lacks. */
  endpoint: string;
  port: number;
  /** moto_server's own address, behind the front. */
  motoEndpoint: string;
  /** The pid of the emulator's process (the leader of its process group). */
  pid: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Finds moto_server, or installs a pinned copy into a project-local virtualenv. */
export function ensureMotoServer(projectRoot: string): string {
  const found = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  const venv = join(projectRoot, '.slipway', 'venv');
  const bin = join(venv, 'bin', 'moto_server');
  if (existsSync(bin)) return bin;
  process.stderr.write(`moto_server not found; installing moto[server]==${MOTO_VERSION} into ${venv}\n`);
  const steps: [string, string[]][] = [
    ['python3', ['-m', 'venv', venv]],
    [join(venv, 'bin', 'pip'), ['install', '--quiet', `moto[server]==${MOTO_VERSION}`]],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`could not install moto_server (${cmd} ${args.join(' ')} exited ${r.status})`);
  }
  return bin;
}

/**
 * argv: <parent pid> <moto_server> <args…>. With PR_SET_PDEATHSIG (Linux) it becomes moto_server
 * itself (exec keeps the setting), so the pid slipway records is moto's. Elsewhere it stays as
 * moto's parent and polls: its parent pid changes when the process that started it dies.
 */
export const PARENT_DEATH_LAUNCHER = `
import ctypes, os, signal, subprocess, sys, time
parent, argv = int(sys.argv[1]), sys.argv[2:]
if os.getppid() != parent:
    sys.exit(0)
try:
    armed = ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0) == 0  # PR_SET_PDEATHSIG
except (AttributeError, OSError):
    armed = False
if armed:
    if os.getppid() != parent:  # the parent died before prctl took effect
        sys.exit(0)
    os.execv(argv[0], argv)
child = subprocess.Popen(argv)
def stop(*_):
    child.terminate()
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
while child.poll() is None:
    if os.getppid() != parent:
        child.terminate()
        try:
            child.wait(3)
        except subprocess.TimeoutExpired:
            child.kill()
        break
    time.sleep(0.25)
sys.exit(child.wait())
`;

async function waitUntilUp(endpoint: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within 30 s`);
}

/** Signals a process group, or the process alone when it leads none; false when it is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  return false;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcessGroup(pid: number, graceMs = 3000): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
}

export async function startMotoServer(options: {
  projectRoot: string;
  port?: number;
  quiet?: boolean;
  /** Where to record the emulator's pid while it runs (`slipway dev`: .slipway/moto.pid), removed at stop. */
  pidFile?: string;
  /** The operations answered in front of moto; by default every supplement slipway needs. */
  supplements?: readonly Supplement[];
}): Promise<MotoServer> {
  const bin = ensureMotoServer(options.projectRoot);
  const port = await freePort();
  const child = spawn('python3', ['-c', PARENT_DEATH_LAUNCHER, String(process.pid), bin, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: options.quiet === false ? 'inherit' : 'ignore',
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'false' },
    // Its own process group (setsid): a Ctrl-C meant for the dev process does not reach it, and
    // stopping it stops the whole group.
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start moto_server: python3 did not start (is it on PATH?)');
  // The launcher does not keep this process alive; stop() and the parent-death signal end it.
  child.unref();
  if (options.pidFile) writeFileSync(options.pidFile, `${pid}\n`);
  const endpoint = `http://127.0.0.1:${port}`;
  const forget = () => {
    if (options.pidFile && readPid(options.pidFile) === pid) rmSync(options.pidFile, { force: true });
  };
  try {
    await waitUntilUp(endpoint, child);
  } catch (error) {
    await stopProcessGroup(pid);
    forget();
    throw error;
  }
  // moto's Lambda Invoke needs Docker, which these machines lack; its stub answers instead.
  await fetch(`${endpoint}/moto-api/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lambda: { use_docker: false } }),
  });
  const front = await startEmulatorFront({
    upstream: endpoint,
    supplements: options.supplements ?? SUPPLEMENTS,
    ...(options.port !== undefined ? { port: options.port } : {}),
  }).catch(async (error: unknown) => {
    await stopProcessGroup(pid);
    forget();
    throw error;
  });
  return {
    endpoint: front.endpoint,
    port: front.port,
    motoEndpoint: endpoint,
    pid,
    async stop() {
      await front.close();
      if (child.exitCode === null && child.signalCode === null) await stopProcessGroup(pid);
      forget();
    },
  };
}

/** The pid recorded in a pid file, if it holds one. */
export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
