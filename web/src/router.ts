/** Hash routes (a static site needs no server rewrites): `#/`, `#/deployments/<id>`, `#/history?…`, `#/metrics?…`. */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'overview' }
  | { page: 'deployment'; id: string }
  | { page: 'history'; query: URLSearchParams }
  | { page: 'metrics'; query: URLSearchParams }
  | { page: 'missing'; path: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', qs = ''] = raw.split('?');
  const query = new URLSearchParams(qs);
  if (path === '/' || path === '') return { page: 'overview' };
  const deployment = /^\/deployments\/([^/]+)$/.exec(path);
  if (deployment?.[1]) return { page: 'deployment', id: decodeURIComponent(deployment[1]) };
  if (path === '/history') return { page: 'history', query };
  if (path === '/metrics') return { page: 'metrics', query };
  return { page: 'missing', path };
}

export const hrefOf = {
  overview: () => '#/',
  deployment: (id: string) => `#/deployments/${encodeURIComponent(id)}`,
  history: (query: Record<string, string | undefined> = {}) => withQuery('#/history', query),
  metrics: (query: Record<string, string | undefined> = {}) => withQuery('#/metrics', query),
};

function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
