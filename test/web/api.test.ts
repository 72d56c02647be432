import { describe, expect, it } from 'vitest';
import { ApiError, SlipwayApi } from '../../web/src/api';
import { authorizationUrl, codeChallenge, codeVerifier } from '../../web/src/auth';
import { deployment } from './fixtures';

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that answers from a table of `METHOD path` → [status, body, headers]. */
function fakeFetch(routes: Record<string, [number, unknown, Record<string, string>?]>, calls: Call[] = []): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    calls.push({ url: String(input), init });
    const answer = routes[`${init.method ?? 'GET'} ${url.pathname}`] ?? [
      404,
      { type: 'https://slipway.dev/problems/route-not-found', status: 404, detail: `there is no route ${url.pathname}` },
    ];
    const [status, body, headers] = answer;
    return new Response(status === 304 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  }) as typeof fetch;
}

describe('SlipwayApi', () => {
  it('sends the last ETag and keeps the page as it is on a 304', async () => {
    // Prepare
    const calls: Call[] = [];
    const d = deployment();
    let answer: [number, unknown, Record<string, string>] = [200, d, { etag: '"v1"' }];
    const api = new SlipwayApi('http://api.test', async () => 'token-1', ((input: string, init: RequestInit) => {
      calls.push({ url: input, init });
      return Promise.resolve(new Response(answer[0] === 304 ? null : JSON.stringify(answer[1]), { status: answer[0], headers: answer[2] }));
    }) as typeof fetch);
    // Act
    const first = await api.deployment('d-1');
    answer = [304, undefined, {}];
    const second = await api.deployment('d-1', first.unchanged ? undefined : first.etag);
    // Assess
    expect(first).toEqual({ unchanged: false, data: d, etag: '"v1"' });
    expect(second).toEqual({ unchanged: true });
    const headers = calls[1]?.init.headers as Record<string, string> | undefined;
    expect(headers?.['if-none-match']).toBe('"v1"');
    expect(headers?.authorization).toBe('Bearer token-1');
  });

  it('reads GET /summary where the API has it', async () => {
    // Prepare
    const summary = { name: 'hello', kind: 'function', live: null, traffic: null, running: null, lastDeployment: null, window: { state: 'none' } };
    const api = new SlipwayApi('http://api.test', undefined, fakeFetch({ 'GET /summary': [200, { targets: [summary] }, { etag: '"s1"' }] }));
    // Act + Assess
    await expect(api.summary()).resolves.toEqual({ unchanged: false, data: [summary], etag: '"s1"' });
  });

  it('composes the summary from the targets and their deployments where GET /summary is missing', async () => {
    // Prepare
    const calls: Call[] = [];
    const api = new SlipwayApi(
      'http://api.test/',
      undefined,
      fakeFetch(
        {
          'GET /targets': [200, { targets: [{ name: 'hello', kind: 'function' }] }],
          'GET /targets/hello/deployments': [200, { deployments: [deployment({ release: 'r2', toVersion: '2' })] }],
        },
        calls,
      ),
    );
    // Act
    const first = await api.summary();
    await api.summary();
    // Assess
    expect(first.unchanged ? undefined : first.data[0]?.live).toMatchObject({ release: 'r2', version: '2' });
    expect(calls.filter((c) => c.url.endsWith('/summary'))).toHaveLength(1);
  });

  it('says the metrics are unavailable on an API without GET /metrics, and names what was wrong otherwise', async () => {
    // Prepare
    const api = new SlipwayApi(
      'http://api.test',
      undefined,
      fakeFetch({
        'POST /deployments/d-1/promote': [409, { status: 409, title: 'Conflict', detail: 'deployment d-1 is staging: no bake to skip yet' }],
      }),
    );
    // Act + Assess
    await expect(api.metrics({ since: '30d' })).resolves.toBeUndefined();
    const refused = api.promote('d-1', 'hotfix');
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toThrow('deployment d-1 is staging: no bake to skip yet');
  });

  it('sends a rollback to a chosen release, and none to roll back to the previous one', async () => {
    // Prepare
    const calls: Call[] = [];
    const api = new SlipwayApi('http://api.test', undefined, fakeFetch({ 'POST /targets/hello/rollback': [202, deployment({ trigger: 'rollback' })] }, calls));
    // Act
    await api.rollback('hello', 'r1');
    await api.rollback('hello');
    // Assess
    expect(calls.map((c) => c.init.body)).toEqual(['{"release":"r1"}', '{}']);
  });
});

describe('PKCE', () => {
  it("derives the S256 challenge of RFC 7636's example verifier", async () => {
    // Act + Assess
    await expect(codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).resolves.toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes a 43-character verifier and an authorization URL with the challenge, never a secret', () => {
    // Act
    const verifier = codeVerifier((b) => b.fill(7));
    const url = new URL(authorizationUrl('https://idp.test/authorize', { issuer: 'https://idp.test', clientId: 'dash' }, 'CH', 'ST', 'https://dash.test/'));
    // Assess
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'dash',
      redirect_uri: 'https://dash.test/',
      scope: 'openid',
      code_challenge: 'CH',
      code_challenge_method: 'S256',
      state: 'ST',
    });
  });
});
