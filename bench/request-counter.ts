import { createServer, request, type Server } from 'node:http';

/**
 * A loopback proxy in front of moto_server that counts the AWS API calls passing through it, by
 * service and operation: the cost counters of a deployment, measured on the wire.
 */
export interface RequestCounter {
  url: string;
  counts: Map<string, number>;
  /** The same calls by the function that signed them (dev mode signs as `fn-<function>`), then operation. */
  byFunction: Map<string, Map<string, number>>;
  reset(): void;
  total(): number;
  close(): Promise<void>;
}

function operationOf(method: string, url: string, headers: Record<string, string | string[] | undefined>): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target; // DynamoDB, SQS (JSON), CloudWatch (JSON), EventBridge
  const auth = String(headers.authorization ?? '');
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth)?.[1] ?? 'unknown';
  const path = url.split('?')[0] ?? '';
  if (service === 'lambda') return `lambda ${method} ${path.replace(/\/functions\/[^/]+/, '/functions/{fn}').replace(/\/aliases\/[^/]+/, '/aliases/{alias}')}`;
  return `${service} ${method}`;
}

function signerOf(headers: Record<string, string | string[] | undefined>): string {
  const key = /Credential=([^/]+)\//.exec(String(headers.authorization ?? ''))?.[1] ?? 'unsigned';
  return key.startsWith('fn-') ? key.slice(3) : key;
}

export async function startRequestCounter(upstream: string): Promise<RequestCounter> {
  const counts = new Map<string, number>();
  const byFunction = new Map<string, Map<string, number>>();
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const op = operationOf(req.method ?? 'GET', req.url ?? '/', req.headers);
    counts.set(op, (counts.get(op) ?? 0) + 1);
    const signer = signerOf(req.headers);
    const ops = byFunction.get(signer) ?? new Map<string, number>();
    ops.set(op, (ops.get(op) ?? 0) + 1);
    byFunction.set(signer, ops);
    const proxied = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      upstreamRes.pipe(res);
    });
    proxied.on('error', () => res.writeHead(502).end());
    req.pipe(proxied);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    byFunction,
    reset: () => {
      counts.clear();
      byFunction.clear();
    },
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
