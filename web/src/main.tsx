/** The slipway dashboard: config, sign-in when the API wants a token, then the pages. */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type DashboardConfig, loadConfig, SlipwayApi } from './api';
import { authenticate } from './auth';
import { DeploymentPage } from './components/DeploymentPage';
import { History } from './components/History';
import { MetricsPage } from './components/MetricsPage';
import { Overview } from './components/Overview';
import { hrefOf, type Route, useRoute } from './router';
import './styles.css';

function useNow(everyMs = 1000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function Page({ api, route }: { api: SlipwayApi; route: Route }) {
  const now = useNow();
  switch (route.page) {
    case 'overview':
      return <Overview api={api} now={now} />;
    case 'deployment':
      return <DeploymentPage api={api} id={route.id} now={now} />;
    case 'history':
      return <History api={api} query={route.query} />;
    case 'metrics':
      return <MetricsPage api={api} query={route.query} />;
    default:
      return (
        <p>
          There is no page at {route.path}. <a href={hrefOf.overview()}>See the targets</a>.
        </p>
      );
  }
}

function App({ config, token }: { config: DashboardConfig; token: () => Promise<string | undefined> }) {
  const route = useRoute();
  const api = useMemo(() => new SlipwayApi(new URL(config.apiUrl, location.href).href, token), [config, token]);
  useEffect(() => {
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [route.page]);
  const current = (page: Route['page']) => (route.page === page ? 'page' : undefined);
  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href={hrefOf.overview()}>
          slipway
        </a>
        <nav aria-label="pages">
          <a href={hrefOf.overview()} aria-current={current('overview')}>
            Targets
          </a>
          <a href={hrefOf.history()} aria-current={current('history')}>
            History
          </a>
          <a href={hrefOf.metrics()} aria-current={current('metrics')}>
            Metrics
          </a>
        </nav>
        <span class="zone muted small">times in {Intl.DateTimeFormat().resolvedOptions().timeZone}</span>
      </header>
      <main id="main" tabIndex={-1}>
        <Page api={api} route={route} />
      </main>
    </>
  );
}

async function start(root: HTMLElement) {
  try {
    const config = await loadConfig();
    const token = config.auth ? await authenticate(config.auth) : async () => undefined;
    render(<App config={config} token={token} />, root);
  } catch (error) {
    root.textContent = `The dashboard could not start: ${(error as Error).message}`;
  }
}

const root = document.getElementById('app');
if (root) void start(root);
