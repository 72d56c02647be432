import { describe, expect, it } from 'vitest';
import { parseWrk } from '../../bench/api-latency.js';

const OUTPUT = `Running 10s test @ http://127.0.0.1:40001/deployments/d-1
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   285.50ms   60.05ms 469.55ms   73.24%
    Req/Sec    30.11      9.81    60.00     58.33%
  Latency Distribution
     50%  287.00ms
     75%  318.71ms
     90%  366.13ms
     99%    1.44s
  549 requests in 10.07s, 1.60MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:     54.52
Transfer/sec:    162.80KB
`;

describe('Function: parseWrk', () => {
  it('reads percentiles in any unit, totals, errors and non-2xx answers', () => {
    // Act & Assess
    expect(parseWrk(OUTPUT)).toEqual({
      requests: 549,
      seconds: 10.07,
      requestsPerSecond: 54.52,
      p50Ms: 287,
      p90Ms: 366.13,
      p99Ms: 1440,
      non2xx: 4,
      socketErrors: 5,
    });
  });

  it('refuses output without a latency distribution', () => {
    // Act & Assess
    expect(() => parseWrk(OUTPUT.replace(/\s+50%.*\n/, '\n'))).toThrow(/no 50% latency/);
  });
});
