/**
 * The emulator's front door: an HTTP server in front of moto_server that answers the few AWS
 * operations moto does not implement (the supplements, see ./supplements.ts) and forwards every
 * other request to moto untouched, streamed both ways.
 *
 * So the real AWS adapters run over HTTP against operations moto lacks, in dev mode and in the
 * tests alike (the strict-AWS proxy sits in front of this front in tests, so those requests are
 * IAM-evaluated like any other). A supplement keeps its state in this process's memory: it lives
 * as long as the emulator does, like moto's own.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';

/** A request a supplement may answer, its body read whole. */
export interface EmulatorRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The SigV4 signing service of the credential scope (`lambda`, `cloudfront`, …), when signed. */
  service?: string;
  region: string;
}

export interface EmulatorAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** What a supplement may call back: moto itself, for the state it keeps (functions, distributions). */
export interface Upstream {
  endpoint: string;
}

export interface Supplement {
  /** Which operations moto lacks that this supplement implements, for people reading the logs. */
  name: string;
  /** Cheap, from the request line and headers only: the body of a matching request is buffered. */
  matches(request: Pick<EmulatorRequest, 'method' | 'path' | 'service'>): boolean;
  handle(request: EmulatorRequest, upstream: Upstream): Promise<EmulatorAnswer>;
}

export interface EmulatorFront {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** `Credential=AKID/20260101/us-east-1/lambda/aws4_request` → `{ service: 'lambda', region: 'us-east-1' }`. */
export function signingScope(headers: IncomingHttpHeaders): { service?: string; region?: string } {
  const auth = headers.authorization ?? '';
  const m = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/.exec(auth);
  return m ? { region: m[1], service: m[2] } : {};
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forward(req: IncomingMessage, res: ServerResponse, upstream: URL): void {
  const outgoing = httpRequest({ host: upstream.hostname, port: Number(upstream.port), method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    pipeline(answer, res).catch(() => res.destroy());
  });
  outgoing.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`the emulator front could not reach moto: ${error.message}\n`);
  });
  pipeline(req, outgoing).catch(() => outgoing.destroy());
}

export async function startEmulatorFront(options: { upstream: string; port?: number; supplements: readonly Supplement[] }): Promise<EmulatorFront> {
  const upstream = new URL(options.upstream);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const scope = signingScope(req.headers);
    const line = { method: req.method ?? 'GET', path: url.pathname, ...(scope.service ? { service: scope.service } : {}) };
    const supplement = options.supplements.find((s) => s.matches(line));
    if (!supplement) {
      forward(req, res, upstream);
      return;
    }
    void (async () => {
      try {
        const body = await readBody(req);
        const answer = await supplement.handle(
          { ...line, query: url.searchParams, headers: req.headers, body, region: scope.region ?? 'us-east-1' },
          { endpoint: options.upstream },
        );
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      } catch (error) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ __type: 'ServiceException', message: `the emulator's ${supplement.name} failed: ${(error as Error).message}` }));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
