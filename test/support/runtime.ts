import { createLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../dev/runtime.js';

/**
 * The tests' composition root: the dev runtime's factories against the run's moto_server (see
 * useMoto), with the names a test's world set up. `env` adds settings (poll intervals, rate limits).
 */
export function testRuntime(options: Partial<Omit<LocalRuntimeOptions, 'endpoint' | 'region'>> = {}): LocalRuntime {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error('testRuntime() needs useMoto() (or createWorld()) first');
  return createLocalRuntime({
    ...options,
    env: { ...process.env, ...options.env },
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
  });
}
