/** Deployments newest first, filtered by target, status, trigger and time, paged over the API's cursors. */
import { useEffect, useState } from 'preact/hooks';
import type { SlipwayApi } from '../api';
import { hrefOf } from '../router';
import { type Deployment, TERMINAL_STATUSES, ACTIVE_STATUSES, TRIGGERS } from '../types';
import { formatTime } from '../view/format';
import { type HistoryFilters, historyFilters, historyQuery } from '../view/history-model';
import { Status } from './Status';

export function History({ api, query }: { api: SlipwayApi; query: URLSearchParams }) {
  const filters = historyFilters(query);
  const [pages, setPages] = useState<string[]>([]);
  const [page, setPage] = useState<{ deployments: Deployment[]; nextCursor: string | null } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const cursor = pages.at(-1);
  const key = query.toString();
  useEffect(() => setPages([]), [key]);
  useEffect(() => {
    let stopped = false;
    setPage(undefined);
    api
      .history({
        ...historyQuery(filters),
        limit: 20,
        ...(cursor ? { cursor } : {}),
      })
      .then(
        (p) => {
          if (stopped) return;
          setPage(p);
          setError(undefined);
        },
        (e: Error) => {
          if (!stopped) setError(e.message);
        },
      );
    return () => {
      stopped = true;
    };
  }, [api, key, cursor]);

  const set = (change: Partial<Record<keyof HistoryFilters, string>>) => {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(change)) v ? next.set(k, v) : next.delete(k);
    location.hash = `#/history?${next}`;
  };
  const rows = page?.deployments ?? [];
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Target
          <input name="target" value={filters.target ?? ''} placeholder="all" onChange={(e) => set({ target: (e.target as HTMLInputElement).value.trim() })} />
        </label>
        <label>
          Status
          <select name="status" value={filters.status.join(',')} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            <option value={ACTIVE_STATUSES.join(',')}>running</option>
            {TERMINAL_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Trigger
          <select name="trigger" value={filters.trigger ?? ''} onChange={(e) => set({ trigger: (e.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            {TRIGGERS.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" name="from" value={filters.from ?? ''} onChange={(e) => set({ from: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          To
          <input type="date" name="to" value={filters.to ?? ''} onChange={(e) => set({ to: (e.target as HTMLInputElement).value })} />
        </label>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!page && !error && <p aria-busy="true">Loading…</p>}
      {page && (
        <div class="table-scroll">
          <table class="history">
            <thead>
              <tr>
                <th scope="col">started</th>
                <th scope="col">target</th>
                <th scope="col">release</th>
                <th scope="col">status</th>
                <th scope="col">trigger</th>
                <th scope="col">versions</th>
                <th scope="col">reason</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <td>
                    <time dateTime={d.startedAt}>{formatTime(d.startedAt)}</time>
                  </td>
                  <td>{d.target}</td>
                  <td>
                    <a href={hrefOf.deployment(d.id)}>{d.release}</a>
                  </td>
                  <td>
                    <Status status={d.status} />
                  </td>
                  <td>{d.trigger}</td>
                  <td>
                    {d.fromVersion ?? '–'} → {d.toVersion ?? '–'}
                  </td>
                  <td class="small">{d.reason ?? ''}</td>
                </tr>
              ))}
              {rows.length === 0 && (
                <tr>
                  <td colSpan={7} class="muted">
                    No deployment on this page matches.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      <div class="buttons">
        <button type="button" disabled={pages.length === 0} onClick={() => setPages(pages.slice(0, -1))}>
          ← Newer
        </button>
        <button type="button" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setPages([...pages, page.nextCursor])}>
          Older →
        </button>
      </div>
    </section>
  );
}
