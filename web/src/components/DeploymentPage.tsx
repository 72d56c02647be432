/** One deployment as it happens: the steps, traffic over time, health checks with evidence, the reason. */
import { useMemo, useState } from 'preact/hooks';
import type { SlipwayApi } from '../api';
import { usePolled } from '../live';
import { hrefOf } from '../router';
import type { Deployment } from '../types';
import { ACTIVE_STATUSES } from '../types';
import { describeEvidence, deploymentActions, healthChecksOf, invalidationsOf, stepsOf, trafficSeries } from '../view/deployment-model';
import { formatTime, shortSha } from '../view/format';
import { type ActionSpec, ActionDialog } from './ActionDialog';
import { Chart, stepped } from './Chart';
import { Status } from './Status';

/** An axis tick (seconds) as the viewer's wall-clock time. */
const clock = (seconds: number): string =>
  new Date(seconds * 1000).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

const ACTION_TEXT = {
  cancel: {
    title: 'Cancel this deployment',
    explain: 'Before traffic moved it ends cancelled with nothing live changed; after that the old release is put back (rolled back).',
    confirmLabel: 'Cancel deployment',
    reasonRequired: false,
  },
  promote: {
    title: 'Skip the bake',
    explain: 'Skips the rest of the bake and every remaining step: health is checked once more, then all traffic goes to the new version.',
    confirmLabel: 'Promote to 100%',
    reasonRequired: true,
  },
  startNow: {
    title: 'Start now',
    explain: 'Starts this waiting deployment now, past its window or schedule (break-glass); the rollout then follows its strategy.',
    confirmLabel: 'Start now',
    reasonRequired: true,
  },
  approve: { title: 'Approve this promotion', explain: 'The release goes on to this environment.', confirmLabel: 'Approve', reasonRequired: true },
  reject: { title: 'Reject this promotion', explain: 'The promotion ends without deploying anything.', confirmLabel: 'Reject', reasonRequired: true },
} as const;

export function DeploymentPage({ api, id, now }: { api: SlipwayApi; id: string; now: Date }) {
  const polled = usePolled((etag) => api.deployment(id, etag), [api, id]);
  const [action, setAction] = useState<ActionSpec | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const d = polled.data;
  const active = d ? ACTIVE_STATUSES.includes(d.status) : false;
  // While it runs, the chart's last point is now: recompute on each tick; once ended, only on a new record.
  const series = useMemo(() => (d ? trafficSeries(d, now) : { x: [], y: [] }), [d, active ? now : undefined]);

  if (polled.error && !d)
    return (
      <p class="error" role="alert">
        Could not read deployment {id}: {polled.error}
      </p>
    );
  if (!d) return <p aria-busy="true">Loading deployment {id}…</p>;

  const run = (kind: keyof typeof ACTION_TEXT, deployment: Deployment) =>
    setAction({
      ...ACTION_TEXT[kind],
      run: async (reason) => {
        const call = { cancel: api.cancel, promote: api.promote, startNow: api.promote, approve: api.approve, reject: api.reject }[kind];
        await call.call(api, deployment.id, reason);
        polled.refresh();
        return `${ACTION_TEXT[kind].confirmLabel}: asked. The timeline shows when it takes effect.`;
      },
    });

  const checks = healthChecksOf(d);
  const invalidations = invalidationsOf(d);
  return (
    <section aria-labelledby="deployment-title" data-deployment={d.id} data-status={d.status}>
      <p>
        <a href={hrefOf.overview()}>← Targets</a> · <a href={hrefOf.history({ target: d.target })}>{d.target} history</a>
      </p>
      <h1 id="deployment-title">
        {d.target} {d.release} <Status status={d.status} />
      </h1>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {polled.error && <p class="error">Last refresh failed: {polled.error}</p>}
      <dl class="facts">
        <dt>Id</dt>
        <dd>
          <code>{d.id}</code>
        </dd>
        <dt>Trigger</dt>
        <dd>{d.trigger}</dd>
        <dt>Versions</dt>
        <dd>
          {d.fromVersion ?? '–'} → {d.toVersion ?? '–'} · traffic {d.trafficPercent}%
        </dd>
        <dt>sha256</dt>
        <dd>
          <code title={d.sha256 ?? ''}>{shortSha(d.sha256)}</code>
        </dd>
        <dt>Started</dt>
        <dd>
          <time dateTime={d.startedAt}>{formatTime(d.startedAt)}</time>
        </dd>
        <dt>Ended</dt>
        <dd>{d.endedAt ? <time dateTime={d.endedAt}>{formatTime(d.endedAt)}</time> : 'running'}</dd>
        {d.approval && (
          <>
            <dt>Approval</dt>
            <dd>
              {d.approval.state}
              {d.approval.by ? ` by ${d.approval.by}` : ''}
              {d.approval.reason ? `: ${d.approval.reason}` : ''}
            </dd>
          </>
        )}
      </dl>
      {d.reason && (
        <p class={`reason reason-${d.status}`} data-reason>
          <strong>Reason:</strong> {d.reason}
        </p>
      )}
      {active && (
        <div class="buttons">
          {deploymentActions(d).map((kind) => (
            <button key={kind} type="button" data-action={kind} onClick={() => run(kind, d)} class={kind === 'cancel' || kind === 'reject' ? 'danger' : ''}>
              {ACTION_TEXT[kind].title}…
            </button>
          ))}
        </div>
      )}

      <h2>Traffic on the new version</h2>
      <Chart
        label={`traffic percent over time, now ${d.trafficPercent}%`}
        data={[series.x, series.y]}
        options={{
          scales: { y: { range: [0, 100] } },
          axes: [{ values: (_u, ticks) => ticks.map((t) => clock(t)) }, { values: (_u, ticks) => ticks.map((t) => `${t}%`) }],
          series: [{}, { label: 'traffic %', stroke: '#0b5cad', fill: 'rgba(11,92,173,0.15)', width: 2, ...(stepped ? { paths: stepped } : {}) }],
          legend: { show: false },
        }}
        height={180}
      />

      <h2>Steps</h2>
      <ol class="steps">
        {stepsOf(d).map((s) => (
          <li key={s.step} class={`step step-${s.state}`} data-step={s.step}>
            <span class="step-name">{s.label}</span> <span class="step-state">{s.state}</span>
            {s.startedAt && <time dateTime={s.startedAt}> {formatTime(s.startedAt)}</time>}
            {s.entries.length > 0 && (
              <ul>
                {s.entries.map((e, i) => (
                  <li key={`${e.at}-${i}`}>
                    <time dateTime={e.at}>{formatTime(e.at)}</time> {e.status ? <Status status={e.status} /> : null}{' '}
                    {typeof e.trafficPercent === 'number' ? `${e.trafficPercent}% · ` : ''}
                    {e.message ?? ''}
                    {e.requestedBy ? ` (by ${e.requestedBy}${e.reason ? `: ${e.reason}` : ''})` : ''}
                    {e.error ? <span class="error"> {e.error}</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>

      <h2>Health checks</h2>
      {checks.length === 0 ? (
        <p class="muted">No health check recorded yet.</p>
      ) : (
        <ul class="checks">
          {checks.map((c, i) => (
            <li key={`${c.at}-${i}`} class={`check check-${c.result}`}>
              <span class="check-result">{c.result}</span> <time dateTime={c.at}>{formatTime(c.at)}</time> {c.message}
              {c.evidence && <div class="small">{describeEvidence(c.evidence)}</div>}
            </li>
          ))}
        </ul>
      )}

      {d.components && (
        <>
          <h2>Components</h2>
          <table class="components">
            <thead>
              <tr>
                <th scope="col">component</th>
                <th scope="col">kind</th>
                <th scope="col">from</th>
                <th scope="col">to</th>
                <th scope="col">changed</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(d.components).map(([name, c]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>{c.kind === 'function' ? `function ${c.function}` : 'site'}</td>
                  <td>{c.kind === 'function' ? (c.fromVersion ?? '–') : (c.fromRelease ?? '–')}</td>
                  <td>{c.kind === 'function' ? (c.toVersion ?? '–') : (c.toRelease ?? '–')}</td>
                  <td>{c.changed ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {invalidations.length > 0 && (
        <>
          <h2>CDN invalidation</h2>
          <ul>
            {invalidations.map((m, i) => (
              <li key={`${i}-${m}`}>{m}</li>
            ))}
          </ul>
        </>
      )}
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
