/**
 * The history page's filters, as the URL keeps them. Target and status go to the API
 * (`GET /deployments?target=&status=`); trigger and time are applied to each page the API gives,
 * since the route has no query for them (a page may then show fewer than its 20 rows).
 */
import type { Deployment } from '../types';

export interface HistoryFilters {
  target?: string;
  status: string[];
  trigger?: string;
  /** `YYYY-MM-DD`, in the viewer's zone: started on or after this day. */
  from?: string;
  /** `YYYY-MM-DD`, in the viewer's zone: started on or before this day. */
  to?: string;
}

export function historyFilters(query: URLSearchParams): HistoryFilters {
  const get = (k: string) => query.get(k)?.trim() || undefined;
  const target = get('target');
  const trigger = get('trigger');
  const from = get('from');
  const to = get('to');
  return {
    ...(target ? { target } : {}),
    status: (get('status') ?? '').split(',').filter(Boolean),
    ...(trigger ? { trigger } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

/** Local midnight of a `YYYY-MM-DD` day, in ms. */
const localDay = (day: string): number => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1).getTime();
};

/** The deployments of one page that match the filters the API does not apply. */
export function filterPage(deployments: Deployment[], filters: HistoryFilters): Deployment[] {
  const from = filters.from ? localDay(filters.from) : -Infinity;
  const to = filters.to ? localDay(filters.to) + 86_400_000 : Infinity;
  return deployments.filter((d) => {
    if (filters.trigger && d.trigger !== filters.trigger) return false;
    const t = Date.parse(d.startedAt);
    return t >= from && t < to;
  });
}
