import { inject } from 'vitest';

/**
 * Points the SDK's standard configuration chain at the run's moto_server. Domain code never sees
 * an endpoint: AWS_ENDPOINT_URL is all it takes.
 */
export function useMoto(): string {
  const endpoint = inject('motoEndpoint');
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  delete process.env.AWS_PROFILE;
  return endpoint;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
