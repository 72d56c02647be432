import { describe, expect, it } from 'vitest';
import { toApiGatewayEvent, LOCAL_DEVELOPER_ARN } from '../../dev/http-front.js';
import { requestedBy, type ApiEvent } from '../../shared/http/request.js';

function event(authorizer: unknown): ApiEvent {
  const base = toApiGatewayEvent({ method: 'POST', url: '/deployments', headers: {} }) as unknown as ApiEvent;
  return { ...base, requestContext: { ...base.requestContext, authorizer: authorizer as never } };
}

describe('Function: requestedBy', () => {
  it('names the IAM caller', () => {
    // Act & Assess
    expect(requestedBy(toApiGatewayEvent({ method: 'GET', url: '/targets', headers: {} }) as unknown as ApiEvent)).toBe(LOCAL_DEVELOPER_ARN);
  });

  it('names the JWT subject when the JWT authorizer let the request in', () => {
    // Act & Assess
    expect(requestedBy(event({ jwt: { claims: { sub: 'a1b2c3', iss: 'https://issuer.example' }, scopes: [] } }))).toBe('jwt:a1b2c3');
  });

  it('names nobody on a route without an authorizer', () => {
    // Act & Assess
    expect(requestedBy(event(undefined))).toBeUndefined();
    expect(requestedBy(event({ jwt: { claims: {} } }))).toBeUndefined();
  });
});
