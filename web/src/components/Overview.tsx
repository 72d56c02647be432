/** The targets overview: what is live on each target, what runs, the window, the promotion chain. */
import { useState } from 'preact/hooks';
import type { SlipwayApi } from '../api';
import { usePolled } from '../live';
import { hrefOf } from '../router';
import type { TargetSummary } from '../types';
import { formatAgo, formatTime, shortSha } from '../view/format';
import { liveLabel, promotionLabel, sortSummaries, windowLabel } from '../view/overview-model';
import { type ActionSpec, ActionDialog } from './ActionDialog';
import { Status } from './Status';
import { TrafficBar } from './TrafficBar';

export function Overview({ api, now }: { api: SlipwayApi; now: Date }) {
  const summary = usePolled((etag) => api.summary(etag), [api]);
  const [action, setAction] = useState<ActionSpec | undefined>();
  const [notice, setNotice] = useState<string | undefined>();

  const rollback = async (t: TargetSummary) => {
    const releases = await api.releases(t.name).catch(() => []);
    const live = t.live?.release;
    const choices = [
      { value: '', label: 'the previous release' },
      ...releases.filter((d) => d.release !== live).map((d) => ({ value: d.release, label: `${d.release}${d.toVersion ? ` (version ${d.toVersion})` : ''}` })),
    ];
    setAction({
      title: `Roll back ${t.name}`,
      explain: `${t.name} serves ${liveLabel(t)}. A rollback deploys an earlier release at once, with the target's health checks.`,
      confirmLabel: 'Roll back',
      reasonRequired: false,
      reasonKept: false,
      releases: choices,
      run: async (_reason, release) => {
        const d = await api.rollback(t.name, release);
        summary.refresh();
        return `Rollback of ${t.name} to ${d.release} started (${d.id}).`;
      },
    });
  };

  if (summary.error && !summary.data)
    return (
      <p class="error" role="alert">
        Could not read the targets: {summary.error}
      </p>
    );
  if (!summary.data) return <p aria-busy="true">Loading targets…</p>;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Targets</h1>
      {summary.error && <p class="error">Last refresh failed: {summary.error}</p>}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ul class="targets">
        {sortSummaries(summary.data).map((t) => (
          <li key={t.name} class="target" data-target={t.name}>
            <header>
              <h2>{t.name}</h2>
              <span class="kind">
                {t.kind}
                {t.environment ? ` · ${t.environment}` : ''}
              </span>
            </header>
            <dl>
              <dt>Live</dt>
              <dd class="live">{liveLabel(t)}</dd>
              {t.live && (
                <>
                  <dt>sha256</dt>
                  <dd>
                    <code title={t.live.sha256}>{shortSha(t.live.sha256)}</code>
                  </dd>
                  <dt>Since</dt>
                  <dd>
                    <time dateTime={t.live.since}>{formatTime(t.live.since)}</time> <span class="muted">({formatAgo(t.live.since, now)})</span>
                    {t.live.by ? ` by ${t.live.by}` : ''}
                  </dd>
                </>
              )}
              <dt>Traffic</dt>
              <dd>
                <TrafficBar summary={t} />
              </dd>
              <dt>Running</dt>
              <dd class="running">
                {t.running ? (
                  <a href={hrefOf.deployment(t.running.id)}>
                    {t.running.release} <Status status={t.running.status} /> {t.running.trafficPercent}%
                  </a>
                ) : (
                  <span class="muted">nothing</span>
                )}
              </dd>
              <dt>Last</dt>
              <dd class="last">
                {t.lastDeployment ? (
                  <a href={hrefOf.deployment(t.lastDeployment.id)}>
                    {t.lastDeployment.release} <Status status={t.lastDeployment.status} />
                  </a>
                ) : (
                  <span class="muted">none</span>
                )}
                {t.lastDeployment?.reason && t.lastDeployment.status !== 'succeeded' && <div class="reason small">{t.lastDeployment.reason}</div>}
              </dd>
              <dt>Window</dt>
              <dd class={`window window-${t.window.state}`}>{windowLabel(t.window)}</dd>
              {t.promotion && (
                <>
                  <dt>Promotion</dt>
                  <dd>{promotionLabel(t)}</dd>
                </>
              )}
            </dl>
            <footer>
              <a href={hrefOf.history({ target: t.name })}>History</a>
              <a href={hrefOf.metrics({ target: t.name })}>Metrics</a>
              <button type="button" onClick={() => void rollback(t)} disabled={!t.live} data-action="rollback">
                Roll back…
              </button>
            </footer>
          </li>
        ))}
      </ul>
      {action && (
        <ActionDialog
          spec={action}
          onClose={(result) => {
            setAction(undefined);
            if (result) setNotice(result);
          }}
        />
      )}
    </section>
  );
}
