/**
 * The fixed ports of `slipway dev` (SLIPWAY_DEV_AWS_PORT, SLIPWAY_DEV_API_PORT, SLIPWAY_DEV_EDGE_PORT):
 * before listening on one, dev mode makes sure it is free. A moto_server that an earlier run
 * recorded in .slipway/moto.pid (one that outlived it) is stopped; any other holder is named, with
 * what to do about it.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { isAlive, readPid, stopProcessGroup } from './moto-server.js';

export class PortInUseError extends Error {
  constructor(
    message: string,
    readonly port: number,
    readonly holder?: PortHolder,
  ) {
    super(message);
    this.name = 'PortInUseError';
  }
}

export interface PortHolder {
  pid: number;
  command: string;
}

/** True when nothing listens on 127.0.0.1:port (a listener on 0.0.0.0 counts as holding it too). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A process's command line, from ps (Linux and macOS); undefined when it is gone. */
export function commandLine(pid: number): string | undefined {
  const ps = spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  const line = ps.status === 0 ? ps.stdout.trim() : '';
  return line || undefined;
}

/** Who listens on a TCP port, by lsof, else ss; undefined when neither can tell. */
export function portHolder(port: number): PortHolder | undefined {
  let pid: number | undefined;
  const lsof = spawnSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], { encoding: 'utf8' });
  if (lsof.status === 0) pid = Number.parseInt(lsof.stdout.trim().split('\n')[0] ?? '', 10);
  if (!pid) {
    const ss = spawnSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
    const match = ss.status === 0 ? /pid=(\d+)/.exec(ss.stdout) : null;
    if (match?.[1]) pid = Number.parseInt(match[1], 10);
  }
  if (!pid) return undefined;
  return { pid, command: commandLine(pid) ?? '(command unknown)' };
}

/** A moto_server serving this port: its command line names moto_server and `-p <port>`. */
export function isMotoServerOn(command: string, port: number): boolean {
  return /(^|[\s/])moto_server(\s|$)/.test(command) && new RegExp(`(-p|--port)[ =]${port}(\\s|$)`).test(command);
}

async function waitUntilFree(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await isPortFree(port)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface PortClaim {
  port: number;
  /** The variable that chose it, for the message. */
  setting: string;
  /** What listens there when dev mode runs, for the message: "moto_server", "the API". */
  purpose: string;
  /** The pid file of the moto_server an earlier run started on this port; such a holder is stopped. */
  motoPidFile?: string;
  /** What else the holder could be used as, when that makes sense ("set AWS_ENDPOINT_URL=…"). */
  alternative?: string;
  log?: (line: string) => void;
}

/**
 * Makes sure `port` can be listened on. A moto_server recorded in `motoPidFile` (and verified to be
 * moto_server on that port, since pids are reused) is stopped; a stale pid file is removed; any
 * other holder makes it throw a PortInUseError that names the process and what to do.
 */
export async function claimPort(claim: PortClaim): Promise<void> {
  const { port } = claim;
  if (await isPortFree(port)) {
    if (claim.motoPidFile) removeStalePidFile(claim.motoPidFile);
    return;
  }
  const recorded = claim.motoPidFile ? readPid(claim.motoPidFile) : undefined;
  if (recorded !== undefined && claim.motoPidFile) {
    const command = isAlive(recorded) ? commandLine(recorded) : undefined;
    if (command && isMotoServerOn(command, port)) {
      claim.log?.(`slipway dev: stopping moto_server (pid ${recorded}) left on port ${port} by an earlier slipway dev`);
      await stopProcessGroup(recorded);
      rmSync(claim.motoPidFile, { force: true });
      if (await waitUntilFree(port, 5000)) return;
    } else {
      rmSync(claim.motoPidFile, { force: true });
    }
  }
  const holder = portHolder(port);
  const who = holder
    ? `pid ${holder.pid} (${holder.command})`
    : 'another process (neither lsof nor ss could name it; try `lsof -iTCP:' + port + ' -sTCP:LISTEN`)';
  const stop = holder ? `stop it (kill ${holder.pid})` : 'stop that process';
  throw new PortInUseError(
    `port ${port} (${claim.setting}), where slipway dev wants ${claim.purpose}, is in use by ${who}, which this slipway dev did not start: ` +
      `${stop}, or choose another port with ${claim.setting}${claim.alternative ? `, or ${claim.alternative}` : ''}`,
    port,
    holder,
  );
}

function removeStalePidFile(pidFile: string): void {
  const pid = readPid(pidFile);
  if (pid !== undefined && !isAlive(pid)) rmSync(pidFile, { force: true });
}
