/** Delivery metrics over a chosen period, overall or for one target, drawn as charts. */
import { useEffect, useState } from 'preact/hooks';
import type { SlipwayApi } from '../api';
import { hrefOf } from '../router';
import type { Metrics, MetricsReport } from '../types';
import { formatDuration, formatPercent } from '../view/format';
import { dailySeries, PERIODS } from '../view/overview-model';
import { bars, Chart } from './Chart';

function Figures({ m }: { m: Metrics }) {
  return (
    <dl class="figures">
      <div>
        <dt>Deployment frequency</dt>
        <dd>
          {m.deploymentsPerDay.toFixed(2)} a day ({m.started} started)
        </dd>
      </div>
      <div>
        <dt>Lead time</dt>
        <dd>{m.leadTimeSeconds ? `median ${formatDuration(m.leadTimeSeconds.median)}, p90 ${formatDuration(m.leadTimeSeconds.p90)}` : '–'}</dd>
      </div>
      <div>
        <dt>Change failure rate</dt>
        <dd>
          {formatPercent(m.changeFailureRate)} ({m.failed} failed, {m.rolledBack} rolled back)
        </dd>
      </div>
      <div>
        <dt>Time to restore</dt>
        <dd>{m.timeToRestoreSeconds ? `median ${formatDuration(m.timeToRestoreSeconds.median)}, max ${formatDuration(m.timeToRestoreSeconds.max)}` : '–'}</dd>
      </div>
    </dl>
  );
}

function DailyChart({ m, label }: { m: Metrics; label: string }) {
  const s = dailySeries(m);
  const bar = bars ? { paths: bars } : {};
  return (
    <Chart
      label={`${label}: deployments a day, ${m.succeeded} succeeded, ${m.failed} failed, ${m.rolledBack} rolled back`}
      data={[s.x, s.succeeded, s.failed, s.rolledBack]}
      options={{
        series: [
          {},
          { label: 'succeeded', stroke: '#1a7f37', fill: 'rgba(26,127,55,0.5)', ...bar },
          { label: 'failed', stroke: '#b42318', fill: 'rgba(180,35,24,0.5)', ...bar },
          { label: 'rolled back', stroke: '#9a6700', fill: 'rgba(154,103,0,0.5)', ...bar },
        ],
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      }}
    />
  );
}

export function MetricsPage({ api, query }: { api: SlipwayApi; query: URLSearchParams }) {
  const since = query.get('since') ?? '30d';
  const target = query.get('target') ?? undefined;
  const [report, setReport] = useState<MetricsReport | null | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let stopped = false;
    setReport(undefined);
    api.metrics({ since, ...(target ? { target } : {}) }).then(
      (r) => {
        if (stopped) return;
        setReport(r ?? null);
        setError(undefined);
      },
      (e: Error) => {
        if (!stopped) setError(e.message);
      },
    );
    return () => {
      stopped = true;
    };
  }, [api, since, target]);
  return (
    <section aria-labelledby="metrics-title">
      <h1 id="metrics-title">Delivery metrics{target ? ` · ${target}` : ''}</h1>
      <nav class="periods" aria-label="period">
        {PERIODS.map((p) => (
          <a key={p} href={hrefOf.metrics({ since: p, target })} aria-current={p === since ? 'page' : undefined}>
            last {p}
          </a>
        ))}
        {target && <a href={hrefOf.metrics({ since })}>all targets</a>}
      </nav>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report === undefined && !error && <p aria-busy="true">Loading…</p>}
      {report === null && <p class="notice">This API does not serve delivery metrics (GET /metrics) yet.</p>}
      {report && (
        <>
          <h2>{target ? target : 'All targets'}</h2>
          <Figures m={report.overall} />
          <DailyChart m={report.overall} label={target ?? 'all targets'} />
          {!target && report.targets.length > 0 && (
            <>
              <h2>By target</h2>
              <div class="table-scroll">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">target</th>
                      <th scope="col">a day</th>
                      <th scope="col">lead time (median)</th>
                      <th scope="col">change failure rate</th>
                      <th scope="col">time to restore (median)</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.targets.map((t) => (
                      <tr key={t.target}>
                        <th scope="row">
                          <a href={hrefOf.metrics({ since, target: t.target })}>{t.target}</a>
                        </th>
                        <td>{t.deploymentsPerDay.toFixed(2)}</td>
                        <td>{formatDuration(t.leadTimeSeconds?.median)}</td>
                        <td>{formatPercent(t.changeFailureRate)}</td>
                        <td>{formatDuration(t.timeToRestoreSeconds?.median)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}
