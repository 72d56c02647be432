import { MethodNotAllowedError, RouteNotFoundError } from './errors.js';

export interface RouteShape {
  method: string;
  /** With `{param}` segments, as @middy/http-router takes them. */
  path: string;
}

function pathPattern(path: string): RegExp {
  const escaped = path
    .replace(/\/$/, '')
    .split('/')
    .map((segment) => (/^\{[^/]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

/**
 * The router's answer when no route matches: 405 with the methods the path does take when the path
 * is known (a client using the wrong verb learns which one), else 404.
 */
export function unmatchedRoute(routes: readonly RouteShape[]): (request: { method: string; path: string }) => never {
  const patterns = routes.map((route) => ({ method: route.method, pattern: pathPattern(route.path) }));
  return ({ method, path }) => {
    const allowed = [...new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method))];
    if (allowed.length > 0) throw new MethodNotAllowedError(method, path, allowed);
    throw new RouteNotFoundError(method, path);
  };
}
