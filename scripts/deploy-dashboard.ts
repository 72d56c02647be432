/**
 * `npm run dashboard:deploy -- --bucket <b> --distribution <id> --issuer <url> --client-id <id> [--api-url <url>]`:
 * the dashboard in AWS, as slipway deploys any site. It builds web/, registers (or updates) the site
 * target `slipway-dashboard` whose runtime config file `config.json` tells the page where the API is
 * and how to sign in, and deploys the build through slipway itself (`slipway deploy`), so the
 * dashboard gets atomic switches, rollbacks and a history like every other site.
 *
 * The CLI calls the API at `SLIPWAY_API_URL` (signed with your AWS credentials); `--api-url` is where
 * the page calls it, the stack's DashboardApiUrl output (the JWT routes: `<ApiUrl>/jwt` with
 * apiAuth=both), and defaults to SLIPWAY_API_URL. docs/dashboard.md says what the bucket, the
 * distribution and the OIDC client need.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDashboardBuild } from '../dev/dashboard.js';

const root = join(import.meta.dirname, '..');
const usage =
  'usage: npm run dashboard:deploy -- --bucket <origin bucket> --distribution <CloudFront id> --issuer <OIDC issuer URL> --client-id <OIDC client id> [--api-url <API URL>] [--scope "openid email"] [--target slipway-dashboard] [--prefix dashboard/]';

const { values } = parseArgs({
  options: {
    bucket: { type: 'string' },
    distribution: { type: 'string' },
    issuer: { type: 'string' },
    'client-id': { type: 'string' },
    'api-url': { type: 'string' },
    scope: { type: 'string' },
    target: { type: 'string', default: 'slipway-dashboard' },
    prefix: { type: 'string', default: 'dashboard/' },
  },
});
const apiUrl = values['api-url'] ?? process.env.SLIPWAY_API_URL;
// The CLI's own calls: the IAM routes where the stack has them (apiAuth=both), else the page's.
const cliApiUrl = process.env.SLIPWAY_API_URL ?? apiUrl;
const missing = [
  ...(values.bucket ? [] : ['--bucket']),
  ...(values.distribution ? [] : ['--distribution']),
  ...(values.issuer ? [] : ['--issuer']),
  ...(values['client-id'] ? [] : ['--client-id']),
  ...(apiUrl ? [] : ['--api-url (or SLIPWAY_API_URL)']),
];
if (missing.length) {
  console.error(`dashboard:deploy: missing ${missing.join(', ')}\n${usage}`);
  process.exit(2);
}

const slipway = (...args: string[]) => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', 'main.ts'), ...args], {
    stdio: 'inherit',
    env: { ...process.env, SLIPWAY_API_URL: cliApiUrl },
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
};

const dist = await ensureDashboardBuild({ projectRoot: root, log: (line) => console.log(line) });
const target = {
  name: values.target,
  kind: 'site',
  site: { bucket: values.bucket, prefix: values.prefix, distributionId: values.distribution },
  // Vite names every asset by its content: they may be cached for good; index.html and config.json are asked again.
  cacheControl: [{ match: 'assets/**', value: 'public, max-age=31536000, immutable' }],
  runtimeConfig: {
    path: 'config.json',
    values: { apiUrl, auth: { issuer: values.issuer, clientId: values['client-id'], ...(values.scope ? { scope: values.scope } : {}) } },
  },
  keepReleases: 5,
};
const file = join(mkdtempSync(join(tmpdir(), 'slipway-dashboard-')), `${values.target}.json`);
writeFileSync(file, `${JSON.stringify(target, null, 2)}\n`);
slipway('targets', 'apply', file);
// The build's folder is named by the hash of its sources: the same sources make the same release.
slipway('deploy', dist, '--target', values.target as string, '--release', `dashboard-${basename(dist)}`);
