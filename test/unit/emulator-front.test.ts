import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingScope, startEmulatorFront, type EmulatorFront, type EmulatorRequest } from '../../dev/emulator/front.js';

const SIGNED = 'AWS4-HMAC-SHA256 Credential=fn-prepare/20261204/eu-west-1/lambda/aws4_request, SignedHeaders=host, Signature=00';

describe('the emulator front: moto plus the operations it lacks', () => {
  let upstream: Server;
  let front: EmulatorFront;
  const seen: EmulatorRequest[] = [];
  beforeAll(async () => {
    // Stands in for moto: echoes what reached it.
    upstream = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      res.writeHead(207, { 'x-upstream': 'moto', 'content-type': 'text/plain' });
      res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    const moto = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    front = await startEmulatorFront({
      upstream: moto,
      supplements: [
        {
          name: 'provisioned concurrency',
          matches: (r) => r.service === 'lambda' && r.path.endsWith('/provisioned-concurrency'),
          async handle(request, up) {
            seen.push(request);
            return { status: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ upstream: up.endpoint === moto }) };
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await front.close();
    await new Promise((r) => upstream.close(r));
  });

  it('reads the signing service and region from the credential scope', () => {
    expect(signingScope({ authorization: SIGNED })).toEqual({ service: 'lambda', region: 'eu-west-1' });
    expect(signingScope({})).toEqual({});
  });

  it('answers a supplemented operation itself, with the request parsed', async () => {
    const res = await fetch(`${front.endpoint}/2019-09-30/functions/hello/provisioned-concurrency?Qualifier=7`, {
      method: 'PUT',
      headers: { authorization: SIGNED },
      body: '{"ProvisionedConcurrentExecutions":5}',
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ upstream: true });
    expect(seen.at(-1)).toMatchObject({ method: 'PUT', service: 'lambda', region: 'eu-west-1' });
    expect(seen.at(-1)?.query.get('Qualifier')).toBe('7');
    expect(JSON.parse(seen.at(-1)?.body.toString() ?? '')).toEqual({ ProvisionedConcurrentExecutions: 5 });
  });

  it('forwards everything else to moto unchanged: method, path, query, body, status and headers', async () => {
    const res = await fetch(`${front.endpoint}/2015-03-31/functions/hello/aliases/live?x=1`, {
      method: 'PUT',
      headers: { authorization: SIGNED },
      body: 'abc',
    });
    expect(res.status).toBe(207);
    expect(res.headers.get('x-upstream')).toBe('moto');
    expect(await res.text()).toBe('PUT /2015-03-31/functions/hello/aliases/live?x=1 abc');
    // The same path signed for another service is not the supplement's.
    const other = await fetch(`${front.endpoint}/x/provisioned-concurrency`, { method: 'PUT', headers: { authorization: SIGNED.replace('/lambda/', '/s3/') } });
    expect(other.status).toBe(207);
  });
});
