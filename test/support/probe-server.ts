import { createServer } from 'node:http';

/** A health endpoint on loopback whose status code (and body size) a test sets. */
export interface ProbeServer {
  url: string;
  status: number;
  /** When set, each answer streams this many bytes (with backpressure) instead of "probe". */
  bodyBytes?: number;
  /** Body bytes the server got to write, over all answers: what a client made it send. */
  sentBytes: number;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

export async function startProbeServer(): Promise<ProbeServer> {
  const probe = { status: 200, sentBytes: 0 } as ProbeServer;
  const server = createServer((_req, res) => {
    if (probe.bodyBytes === undefined) {
      probe.sentBytes += 5;
      res.writeHead(probe.status).end('probe');
      return;
    }
    res.writeHead(probe.status, { 'content-length': String(probe.bodyBytes) });
    let left = probe.bodyBytes;
    let closed = false;
    res.on('close', () => (closed = true));
    const pump = () => {
      while (left > 0 && !closed) {
        const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
        left -= chunk.length;
        probe.sentBytes += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!closed) res.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  probe.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/health`;
  probe.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return probe;
}
