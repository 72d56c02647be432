import { createHash } from 'node:crypto';
import type { lookup as dnsLookup } from 'node:dns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpProbe, PROBE_BODY_LIMIT_BYTES } from '../../shared/adapters/http/http-probe.js';
import { startProbeServer, type ProbeServer } from '../support/probe-server.js';

/** A resolver that answers every name with `address`, as a DNS record pointing there would. */
function resolvingTo(address: string, family = 4): typeof dnsLookup {
  return ((_host: string, options: unknown, callback: (...args: unknown[]) => void) => {
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    if (all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as typeof dnsLookup;
}

const neverResolves = (() => {
  throw new Error('the probe must not resolve a literal address');
}) as unknown as typeof dnsLookup;

describe('Class: HttpProbe', () => {
  let server: ProbeServer;

  beforeAll(async () => {
    server = await startProbeServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.status = 200;
    delete server.bodyBytes;
    server.sentBytes = 0;
  });

  describe('Method: probe', () => {
    it('hashes a small body whole', async () => {
      // Act
      const result = await new HttpProbe().probe({ url: server.url, expectStatus: 200, timeoutMs: 2000 });
      // Assess
      expect(result).toEqual({ bodySha256: createHash('sha256').update('probe').digest('hex'), bodyBytes: 5 });
    });

    it('reads at most 1 MiB of a 256 MiB answer and stops the download', async () => {
      // Prepare
      server.bodyBytes = 256 * 1024 * 1024;
      // Act
      const result = await new HttpProbe().probe({ url: server.url, expectStatus: 200, timeoutMs: 10_000 });
      // Assess
      expect(result.failure).toBeUndefined();
      expect(result).toMatchObject({ bodyBytes: PROBE_BODY_LIMIT_BYTES, truncated: true });
      expect(result.bodySha256).toBeUndefined();
      // What the server got to write: the cap plus what socket buffers took before the close.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.sentBytes).toBeLessThan(32 * 1024 * 1024);
    });

    it('reads a body of exactly the cap whole', async () => {
      // Prepare
      server.bodyBytes = PROBE_BODY_LIMIT_BYTES;
      // Act
      const result = await new HttpProbe().probe({ url: server.url, expectStatus: 200, timeoutMs: 5000 });
      // Assess
      expect(result.truncated).toBeUndefined();
      expect(result.bodyBytes).toBe(PROBE_BODY_LIMIT_BYTES);
      expect(result.bodySha256).toBe(createHash('sha256').update(Buffer.alloc(PROBE_BODY_LIMIT_BYTES, 0x61)).digest('hex'));
    });

    it('fails on another status, without reading the body', async () => {
      // Prepare
      server.status = 503;
      server.bodyBytes = 64 * 1024 * 1024;
      // Act
      const result = await new HttpProbe().probe({ url: server.url, expectStatus: 200, timeoutMs: 5000 });
      // Assess
      expect(result.failure).toBe(`probe ${server.url} answered 503, expected 200`);
    });

    it('fails when no answer comes within timeoutMs', async () => {
      // Prepare: an answer that takes far longer than the probe waits.
      server.bodyBytes = 8 * 1024 * 1024 * 1024;
      const probe = new HttpProbe({ bodyLimitBytes: Number.MAX_SAFE_INTEGER });
      // Act
      const result = await probe.probe({ url: server.url, expectStatus: 200, timeoutMs: 200 });
      // Assess
      expect(result.failure).toBe(`probe ${server.url} failed: no answer within 200 ms`);
    });

    it.each([
      'http://169.254.169.254/latest/meta-data/',
      'http://2852039166/',
      'http://0xa9fea9fe/',
      'http://[::ffff:169.254.169.254]/',
      'http://[fd00:ec2::254]/',
    ])('refuses %s without connecting', async (url) => {
      // Act
      const result = await new HttpProbe({ lookup: neverResolves }).probe({ url, expectStatus: 200, timeoutMs: 2000 });
      // Assess
      expect(result.failure).toMatch(/^probe .* refused: .*link-local or instance metadata.*health\.probe\.allowLinkLocal/);
    });

    it('refuses a host name that resolves to the metadata address', async () => {
      // Prepare
      const probe = new HttpProbe({ lookup: resolvingTo('169.254.169.254') });
      // Act
      const result = await probe.probe({ url: 'http://metadata.example.test/latest/meta-data/', expectStatus: 200, timeoutMs: 2000 });
      // Assess
      expect(result.failure).toMatch(
        /^probe http:\/\/metadata\.example\.test\/latest\/meta-data\/ refused: metadata\.example\.test resolves to 169\.254\.169\.254/,
      );
    });

    it('refuses a host name that resolves to the IPv6 metadata address', async () => {
      // Prepare
      const probe = new HttpProbe({ lookup: resolvingTo('fd00:ec2::254', 6) });
      // Act
      const result = await probe.probe({ url: 'http://imds.example.test/', expectStatus: 200, timeoutMs: 2000 });
      // Assess
      expect(result.failure).toMatch(/refused: imds\.example\.test resolves to fd00:ec2::254/);
    });

    it('probes a host name that resolves to an ordinary address', async () => {
      // Prepare: the name stands for the loopback server.
      const probe = new HttpProbe({ lookup: resolvingTo('127.0.0.1') });
      const url = server.url.replace('127.0.0.1', 'health.example.test');
      // Act
      const result = await probe.probe({ url, expectStatus: 200, timeoutMs: 2000 });
      // Assess
      expect(result.failure).toBeUndefined();
      expect(result.bodyBytes).toBe(5);
    });

    it('tries a link-local address the target allows', async () => {
      // Prepare: fe80::1 without a zone id, where nothing answers (169.254.169.254 may answer on a
      // cloud machine, and a test has no business asking it anything). What matters is that the
      // probe tried, and failed to connect, instead of refusing.
      const probe = new HttpProbe({ lookup: resolvingTo('fe80::1', 6) });
      // Act
      const result = await probe.probe({ url: 'http://link-local.example.test/', expectStatus: 200, timeoutMs: 300, allowLinkLocal: true });
      // Assess
      expect(result.failure).toMatch(/^probe http:\/\/link-local\.example\.test\/ failed: /);
      expect(result.failure).not.toMatch(/refused/);
    });
  });
});
