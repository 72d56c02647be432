/**
 * Sign-in for an API behind a JWT authorizer: OpenID Connect's authorization code flow with PKCE
 * (RFC 7636), as a public client (no secret in the page). The tokens stay in sessionStorage, so
 * they go with the tab. Without `auth` in config.json (dev mode, IAM-only APIs) nothing here runs.
 */

const STORE = 'slipway.auth';
const PENDING = 'slipway.auth.pending';

export interface AuthSettings {
  issuer: string;
  clientId: string;
  scope?: string;
  redirectUri?: string;
}

interface Tokens {
  accessToken: string;
  idToken?: string;
  expiresAt: number;
}

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** A PKCE code verifier: 32 random bytes, base64url (43 characters). */
export function codeVerifier(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  return base64url(random(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier: base64url(sha256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the issuer ${issuer} answered ${response.status} for its OpenID configuration`);
  return (await response.json()) as Discovery;
}

const redirectUri = (settings: AuthSettings) => settings.redirectUri ?? `${location.origin}${location.pathname}`;

/** The authorization URL the page sends the viewer to (exported for tests). */
export function authorizationUrl(endpoint: string, settings: AuthSettings, challenge: string, state: string, redirect: string): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirect,
    scope: settings.scope ?? 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  });
  return `${endpoint}?${params}`;
}

async function signIn(settings: AuthSettings): Promise<never> {
  const { authorization_endpoint } = await discover(settings.issuer);
  const verifier = codeVerifier();
  const state = codeVerifier();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: location.hash }));
  location.assign(authorizationUrl(authorization_endpoint, settings, await codeChallenge(verifier), state, redirectUri(settings)));
  return new Promise<never>(() => undefined);
}

async function finishSignIn(settings: AuthSettings, code: string, state: string): Promise<Tokens> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string; hash: string } | null;
  sessionStorage.removeItem(PENDING);
  if (!pending || pending.state !== state) throw new Error('the sign-in answer does not match the request this tab made: sign in again');
  const { token_endpoint } = await discover(settings.issuer);
  const response = await fetch(token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: settings.clientId,
      code,
      redirect_uri: redirectUri(settings),
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`the issuer refused the sign-in code (${response.status}): sign in again`);
  const body = (await response.json()) as { access_token: string; id_token?: string; expires_in?: number };
  const tokens: Tokens = {
    accessToken: body.access_token,
    ...(body.id_token ? { idToken: body.id_token } : {}),
    expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000,
  };
  sessionStorage.setItem(STORE, JSON.stringify(tokens));
  history.replaceState(null, '', `${location.pathname}${pending.hash}`);
  return tokens;
}

/**
 * Resolves to a function giving the bearer token for API calls, signing the viewer in first when
 * needed (a redirect to the issuer and back). The access token is what the API's authorizer checks
 * (its `aud` or, for Cognito, `client_id`).
 */
export async function authenticate(settings: AuthSettings): Promise<() => Promise<string>> {
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  const state = query.get('state');
  let tokens = JSON.parse(sessionStorage.getItem(STORE) ?? 'null') as Tokens | null;
  if (code && state) tokens = await finishSignIn(settings, code, state);
  if (!tokens || tokens.expiresAt < Date.now() + 30_000) await signIn(settings);
  const current = tokens as Tokens;
  return async () => {
    if (current.expiresAt < Date.now() + 30_000) {
      sessionStorage.removeItem(STORE);
      await signIn(settings);
    }
    return current.accessToken;
  };
}
