import { createHash } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { linkLocalReason } from '../../domain/probe-address.js';
import type { ProbeRequest, ProbeResult } from '../../ports/index.js';

/**
 * The most body a probe reads. The site body check compares the sha256 of a page with the
 * release's file; a health page is far smaller. A 1.5 GB answer read whole took dev mode from
 * 206 MB to 4.8 GB: past the cap the response is destroyed, so the rest is never downloaded.
 */
export const PROBE_BODY_LIMIT_BYTES = 1024 * 1024;

export interface HttpProbeOptions {
  /** DNS resolution (tests answer names with the addresses they need). */
  lookup?: typeof dnsLookup;
  bodyLimitBytes?: number;
}

/** Thrown from the resolver so that the request fails with the refusal, not a connect error. */
class RefusedAddressError extends Error {}

/**
 * GET of a target's health URL with node:http rather than fetch: the resolver it connects with
 * is ours, so the address checked is the address connected to (a name that resolves to
 * 169.254.169.254, or re-resolves there between a check and the connect, is refused all the same).
 * Redirects are not followed: a 3xx is the answer.
 */
export class HttpProbe {
  private readonly resolve: typeof dnsLookup;
  private readonly bodyLimitBytes: number;

  constructor(options: HttpProbeOptions = {}) {
    this.resolve = options.lookup ?? dnsLookup;
    this.bodyLimitBytes = options.bodyLimitBytes ?? PROBE_BODY_LIMIT_BYTES;
  }

  probe(probe: ProbeRequest): Promise<ProbeResult> {
    const url = new URL(probe.url);
    const refused = (why: string): ProbeResult => ({
      failure: `probe ${probe.url} refused: ${why}; set health.probe.allowLinkLocal to true if the target really is there`,
    });
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.resolve({ failure: `probe ${probe.url} failed: not an http(s) URL` });
    // Node does not call the resolver for an address literal: check it here.
    const literal = probe.allowLinkLocal ? undefined : linkLocalReason(url.hostname);
    if (literal) return Promise.resolve(refused(literal));

    return new Promise<ProbeResult>((settle) => {
      let settled = false;
      let timedOut = false;
      let request: ClientRequest | undefined;
      const done = (result: ProbeResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request?.destroy();
        settle(result);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        request?.destroy(new Error('timeout'));
      }, probe.timeoutMs);

      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      request = send(url, {
        method: 'GET',
        lookup: this.guardedLookup(url.hostname, probe.allowLinkLocal ?? false),
        headers: { 'user-agent': 'slipway-probe', ...probe.headers },
      });
      request.on('error', (error) => {
        if (timedOut) return done({ failure: `probe ${probe.url} failed: no answer within ${probe.timeoutMs} ms` });
        if (error instanceof RefusedAddressError) return done(refused(error.message));
        done({ failure: `probe ${probe.url} failed: ${error.message}` });
      });
      request.on('response', (response) => {
        if (response.statusCode !== probe.expectStatus) {
          return done({ failure: `probe ${probe.url} answered ${response.statusCode}, expected ${probe.expectStatus}` });
        }
        this.readBody(response, done);
      });
      request.end();
    });
  }

  /** Hashes the body up to the cap, then destroys the response so nothing more is downloaded. */
  private readBody(response: IncomingMessage, done: (result: ProbeResult) => void): void {
    const hash = createHash('sha256');
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      const room = this.bodyLimitBytes - bytes;
      if (chunk.length > room) {
        bytes += room;
        response.destroy();
        return done({ bodyBytes: bytes, truncated: true });
      }
      hash.update(chunk);
      bytes += chunk.length;
    });
    response.on('end', () => done({ bodySha256: hash.digest('hex'), bodyBytes: bytes }));
  }

  /** dns.lookup, refusing the host when any address it resolves to is link-local. */
  private guardedLookup(host: string, allowLinkLocal: boolean): LookupFunction {
    return (hostname, options, callback) => {
      this.resolve(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        const bad = allowLinkLocal ? undefined : addresses.find((entry) => linkLocalReason(entry.address));
        if (bad) return callback(new RefusedAddressError(`${host} resolves to ${linkLocalReason(bad.address)}`), '', 0);
        const first = addresses[0];
        if (!first) return callback(Object.assign(new Error(`${host} resolves to no address`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
        else callback(null, first.address, first.family);
      });
    };
  }
}
