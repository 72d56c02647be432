import { createServer } from 'node:http';

/** A health endpoint on loopback whose status code a test sets. */
export interface ProbeServer {
  url: string;
  status: number;
  close(): Promise<void>;
}

export async function startProbeServer(): Promise<ProbeServer> {
  const probe = { status: 200 } as ProbeServer;
  const server = createServer((_req, res) => res.writeHead(probe.status).end('probe'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  probe.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/health`;
  probe.close = () => new Promise((resolve) => server.close(() => resolve()));
  return probe;
}
