/**
 * The history page's filters, as the URL keeps them, and the API query they make: the API filters
 * on every one (`GET /deployments?target=&status=&trigger=&since=&until=`), so each page is full.
 */
import type { HistoryQuery } from '../api';

export interface HistoryFilters {
  target?: string;
  status: string[];
  trigger?: string;
  /** `YYYY-MM-DD`, in the viewer's zone: requested on or after this day. */
  from?: string;
  /** `YYYY-MM-DD`, in the viewer's zone: requested on or before this day. */
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

/** Local midnight of a `YYYY-MM-DD` day. */
const localDay = (day: string, plusDays = 0): Date => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + plusDays);
};

/** The API query of the filters: the days, in the viewer's zone, as the instants they start and end. */
export function historyQuery(filters: HistoryFilters): Omit<HistoryQuery, 'limit' | 'cursor'> {
  return {
    ...(filters.target ? { target: filters.target } : {}),
    ...(filters.status.length ? { status: filters.status } : {}),
    ...(filters.trigger ? { trigger: filters.trigger } : {}),
    ...(filters.from ? { since: localDay(filters.from).toISOString() } : {}),
    ...(filters.to ? { until: localDay(filters.to, 1).toISOString() } : {}),
  };
}
