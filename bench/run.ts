/**
 * `npm run bench`: measures slipway against baselines timed in the same run and writes
 * docs/BENCHMARKS.md. Nothing here is asserted: these machines are shared and noisy.
 *
 *   npm run bench                          # every section
 *   npm run bench -- --only api,bundles    # those sections; the others stay as they are in the file
 *
 * Sections: deploy (dev deployment and rollback latency), bundles, sites (staging time and memory),
 * api (HTTPS API latency and throughput with wrk), apps (an app release against its components as
 * separate targets), evidence (a canary judged on evidence against a timed canary with an alarm,
 * simulated), dashboard (the web dashboard's first load in headless Chromium against an empty page).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { benchBundles } from './bundles.js';
import { benchAppRelease } from './app-release.js';
import { benchDeployLatency } from './deploy-latency.js';
import { benchDashboard } from './dashboard.js';
import { benchSiteStaging } from './site-staging.js';
import { benchStagingMemory } from './staging-memory.js';
import { sourceImportMs, type ApiLatencyResult } from './api-latency.js';
import { BASELINE_RATE, benchEvidence, CANARY_SHARE, medianOf, REGRESSED_RATE, type Tally } from './evidence.js';

const DOC = 'docs/BENCHMARKS.md';
const runs = Number(process.env.BENCH_RUNS ?? 5);
const ms = (x: number) => `${x.toFixed(0)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const MB = 1024 * 1024;
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;
const show = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/**
 * One AllAtOnce deployment before the workflow carried the record's facts (commit ce4597e, measured
 * 2026-12-03 with BENCH_RUNS=5: 755 ms against a 34 ms bare sequence, 21.9×): a fixed record, for
 * the comparison column; every other number in the section is measured by the run.
 */
const BEFORE_FACTS_IN_STATE: Record<string, number> = {
  'AWSEvents.PutEvents': 5,
  'AmazonSQS.DeleteMessageBatch': 1,
  'AmazonSQS.ReceiveMessage': 1,
  'DynamoDB_20120810.DeleteItem': 1,
  'DynamoDB_20120810.GetItem': 13,
  'DynamoDB_20120810.PutItem': 2,
  'DynamoDB_20120810.Query': 1,
  'DynamoDB_20120810.UpdateItem': 5,
  'lambda GET /2015-03-31/functions/{fn}/aliases': 1,
  'lambda GET /2015-03-31/functions/{fn}/aliases/{alias}': 2,
  'lambda GET /2015-03-31/functions/{fn}/configuration': 3,
  'lambda GET /2015-03-31/functions/{fn}/versions': 2,
  'lambda POST /2015-03-31/functions/{fn}/versions': 1,
  'lambda PUT /2015-03-31/functions/{fn}/aliases/{alias}': 1,
  'lambda PUT /2015-03-31/functions/{fn}/code': 1,
  's3 GET': 2,
  's3 HEAD': 3,
};
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
/** Who signs what in dev mode: the Task functions, intake, notify; the poller's SQS calls use the process's own credentials. */
const WORKFLOW_TASKS = new Set(['prepare', 'acquireLock', 'stage', 'runHook', 'shiftTraffic', 'checkHealth', 'invalidateCdn', 'finalize', 'rollback']);

async function deploySection(): Promise<string[]> {
  const deploy = await benchDeployLatency(runs);
  show(deploy);
  const byFunction = Object.entries(deploy.apiCallsByFunction);
  const workflowCalls = byFunction.filter(([fn]) => WORKFLOW_TASKS.has(fn)).reduce((n, [, ops]) => n + sum(ops), 0);
  const operations = [...new Set([...Object.keys(BEFORE_FACTS_IN_STATE), ...Object.keys(deploy.apiCallsByOperation)])].sort();
  return [
    '## AllAtOnce deployment in dev mode',
    '',
    'From the S3 upload returning to the deployment record reading `succeeded` (intake poller → state machine → record), against the bare',
    'SDK sequence UpdateFunctionCode → wait until Successful → PublishVersion → UpdateAlias on the same emulator.',
    '',
    '| | median | ratio |',
    '|---|---|---|',
    `| slipway (upload → \`succeeded\`) | ${ms(deploy.slipwayMedianMs)} | ${deploy.ratio.toFixed(1)}× |`,
    `| bare sequence | ${ms(deploy.bareMedianMs)} | 1× |`,
    '',
    'Goal: ≤ 1 s in dev mode.',
    '',
    '### Cost of one deployment',
    '',
    '| counter | slipway | bare sequence |',
    '|---|---|---|',
    `| AWS API calls | ${deploy.apiCallsPerDeployment} | ${deploy.bareApiCalls} (4 calls + wait polls) |`,
    `| state transitions | ${deploy.stateTransitions} | – |`,
    `| Lambda invocations (Task states) | ${deploy.lambdaInvocations} | – |`,
    '',
    'API calls by operation (one AllAtOnce deployment of `hello`: no health signals, no hooks, no CDN; counted on the wire by a',
    "loopback proxy in front of moto; the intake poller's ReceiveMessage long-polls run all the time and are included when they",
    'fell inside the deployment). "Before" is the same bench on commit ce4597e, before the workflow state carried the record\'s facts:',
    '',
    '```',
    'npm run bench -- --only deploy',
    '```',
    '',
    '| operation | before | now |',
    '|---|---|---|',
    ...operations.map((op) => `| ${op} | ${BEFORE_FACTS_IN_STATE[op] ?? 0} | ${deploy.apiCallsByOperation[op] ?? 0} |`),
    `| **total** | **${sum(BEFORE_FACTS_IN_STATE)}** | **${deploy.apiCallsPerDeployment}** |`,
    '',
    "By the function that signed them (dev mode signs each function's clients as `fn-<function>`; `bench` is the dev process's",
    'own intake poller):',
    '',
    '| function | calls | operations |',
    '|---|---|---|',
    ...byFunction.map(
      ([fn, ops]) =>
        `| ${fn} | ${sum(ops)} | ${Object.entries(ops)
          .map(([op, n]) => `${op.replace('DynamoDB_20120810.', '').replace('/2015-03-31/functions/{fn}', '')} ×${n}`)
          .join(', ')} |`,
    ),
    '',
    `The workflow's Tasks make ${workflowCalls} of the ${deploy.apiCallsPerDeployment} calls; intake, the poller and dev mode's notify handler the rest.`,
    'What each step still reads, and why: Prepare reads the record and the target (the state has only the id) and checks the',
    'artifact (HeadObject, a streamed GetObject for the sha256 and a ranged one for the zip directory); AcquireLock reads the record',
    "(a cancel or a start-now promote since Prepare), the lock holder and the target's recent deployments (a newer release",
    'supersedes), but not the target on its first attempt; Stage reads the alias (the version live now) and lists the versions (one',
    'this deployment already published is found by its description, and the listing names the live CodeSha256); ShiftTraffic reads',
    'the record before traffic moves (a cancel since Stage keeps the alias where it is) and moves the alias with the revision Stage',
    "saw, reading it only when that revision is stale; Finalize's write is conditional on no cancel and reads nothing, and lists",
    'versions only when Stage counted more than `keepVersions`. Every other step sees a cancel in the record its own UpdateItem returns.',
    '',
    'Goals: ≤ 20 calls per deployment, ≤ 10× the bare sequence. Not met on the wire: the calls outside the workflow (intake,',
    'the SQS poller, notify) and one PutEvents per record write are fixed costs left alone so far. The `emulator` row is the',
    "emulator front's own questions to moto while it answers Stage's GetProvisionedConcurrencyConfig, which moto lacks (that one",
    'call is answered before the counter and not counted; in AWS it is one call instead of the two).',
    '',
    'PutEvents: one per record write that changes the status or the traffic (`queued`, `staging`, 0 → 100% with `verifying`,',
    "`succeeded`; docs/EVENTS.md): a write's events (a traffic step and its status change) go out in one call. In dev mode each",
    'status change also reaches the notify handler in-process, which reads the target (one GetItem each).',
    '',
    '## Rollback latency in dev mode',
    '',
    `From \`set-alarm-state ALARM\` during the \`hello-canary\` bake to the alias back on the old version with no routing config, health poll 1 s, ${deploy.rollbackRuns} runs.`,
    '',
    `| median | goal |`,
    '|---|---|',
    `| ${ms(deploy.rollbackMedianMs)} | ≤ 2 s |`,
    '',
  ];
}

async function bundlesSection(): Promise<string[]> {
  const result = await benchBundles(runs);
  show(result);
  const over = result.bundles.filter((b) => b.bundleBytes > MB);
  const slow = result.bundles.filter((b) => b.coldImportMs > 150);
  return [
    '## Function bundles',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${result.node}. The zips are the cached \`serverless package\` of the package and shipped layers`,
    '(`packagedDir` in test/support/packaged.ts): esbuild, minified ESM, the AWS SDK bundled and tree-shaken (`exclude: []`), `keepNames`.',
    `Each zip is unpacked in a temporary folder with no node_modules above it, and imported ${result.samples} times by a fresh`,
    '`node --input-type=module -e "await import(bundle)"` with the environment the package test gives the functions (`LAMBDA_ENV`:',
    'AWS_REGION and made-up SLIPWAY_* names; importing a bundle builds its handler). Cold import is the import alone, timed inside',
    "the process; process is the whole spawn (Node's start included). The baseline is the same command importing an empty module.",
    '',
    '```',
    'npm run bench -- --only bundles     # BENCH_RUNS=<n> for more samples (default 5)',
    '```',
    '',
    '| function | zip | bundle (handler module) | all JS in the zip | cold import (median) | vs. empty module | process (median) |',
    '|---|---|---|---|---|---|---|',
    `| (empty module) | – | – | – | ${result.baselineMs.toFixed(1)} ms | 1× | ${ms(result.baselineProcessMs)} |`,
    ...result.bundles.map(
      (b) =>
        `| ${b.name} | ${kb(b.zipBytes)} | ${kb(b.bundleBytes)} | ${kb(b.jsBytes)} | ${b.coldImportMs.toFixed(1)} ms | ${(b.coldImportMs / result.baselineMs).toFixed(1)}× | ${ms(b.processMs)} |`,
    ),
    '',
    `Goals: ≤ 1 MB per bundle (1 MB = 1,048,576 bytes), ≤ 150 ms cold import. ${
      over.length ? `Over 1 MB: ${over.map((b) => `${b.name} (${(b.bundleBytes / MB).toFixed(2)} MB)`).join(', ')}.` : 'Every bundle is within 1 MB.'
    } ${slow.length ? `Over 150 ms: ${slow.map((b) => `${b.name} (${b.coldImportMs.toFixed(0)} ms)`).join(', ')}.` : 'Every bundle imports within 150 ms.'}`,
    'The machine is shared (2 cores, several engineers): read the ratios, which compare with a baseline timed in the same run.',
    '',
  ];
}

async function sitesSection(): Promise<string[]> {
  const siteFiles = Number(process.env.BENCH_SITE_FILES ?? 5000);
  const sites = await benchSiteStaging({ files: siteFiles, bytesPerFile: 20 * 1024 });
  show(sites);
  const memory = await benchStagingMemory();
  show(memory);
  return [
    '## Site staging',
    '',
    `A generated site of ${sites.files} files, ${mb(sites.totalBytes)} (incompressible), staged from its zip in S3 (ranged reads, chunks of`,
    "2,000 entries, 4 chunks at once as the state machine's Map runs them) against `aws s3 sync` of the same tree, already",
    'unpacked, to the same moto endpoint through the same counting proxy.',
    '',
    '| full release | wall time | PUT requests |',
    '|---|---|---|',
    `| slipway staging | ${ms(sites.full.slipwayMs)} (${(sites.full.slipwayMs / sites.full.syncMs).toFixed(2)}×) | ${sites.full.slipwayPuts} |`,
    `| aws s3 sync | ${ms(sites.full.syncMs)} (1×) | ${sites.full.syncPuts} |`,
    '',
    `Incremental release, ${sites.incremental.changedFiles} files (1%) changed:`,
    '',
    '| | uploaded bytes | PutObject | CopyObject (inside S3) |',
    '|---|---|---|---|',
    `| slipway | ${mb(sites.incremental.slipwayUploadedBytes)} (${pct(sites.incremental.slipwayUploadedBytes, sites.totalBytes)} of a full release) | ${sites.incremental.slipwayPuts} | ${sites.incremental.slipwayCopies} |`,
    `| aws s3 sync after unpacking the new release | ${mb(sites.incremental.syncUploadedBytes)} (${pct(sites.incremental.syncUploadedBytes, sites.totalBytes)}) | ${sites.incremental.syncPuts} | 0 |`,
    '',
    'Goal: ≤ 2% of a full release. Uploaded bytes meet it. Requests do not: every unchanged file is still one CopyObject into',
    'the new release prefix (no bytes leave S3), because each release lives whole under its own prefix so the switch can be',
    'atomic. `aws s3 sync` re-uploads every file here because unpacking gives every file a new modification time.',
    '',
    `Invalidation for a 1-file change on the ${sites.files}-file site: ${sites.invalidationPaths.map((p) => `\`${p}\``).join(', ')} (${sites.invalidationPaths.length} path, not \`/*\`).`,
    '',
    '### Peak memory while staging',
    '',
    'A child process inspects and stages a generated zip of incompressible 4 MiB files from moto into moto; its peak RSS is',
    `measured with ${memory.large.measuredBy} ("Maximum resident set size"). The baseline is the same process staging a`,
    'single 4 MiB file: Node, the tsx loader and the SDK before any real work. (moto copies the whole object for every',
    'ranged GET, which is what makes the large run slow here.)',
    '',
    '| artifact | files | peak RSS | time |',
    '|---|---|---|---|',
    `| ${mb(memory.baseline.artifactBytes)} (baseline) | ${memory.baseline.files} | ${mb(memory.baseline.maxRssKb * 1024)} | ${memory.baseline.seconds.toFixed(1)} s |`,
    `| ${mb(memory.large.artifactBytes)} | ${memory.large.files} | ${mb(memory.large.maxRssKb * 1024)} | ${memory.large.seconds.toFixed(1)} s |`,
    '',
    'Goal: ≤ 256 MB for a 1 GiB artifact.',
    '',
  ];
}

/** The API bench runs in a process of its own (its own emulator and dev service; see bench/api-latency.ts). */
function runApiBench(): Promise<ApiLatencyResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'bench/api-latency.ts'],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error) return reject(new Error(`the API benchmark failed: ${error.message}`));
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ApiLatencyResult);
      },
    );
    child.stderr?.pipe(process.stderr);
  });
}

async function apiSection(): Promise<string[]> {
  const api = await runApiBench();
  show(api);
  const bundle = (await benchBundles(runs, ['api'])).bundles[0];
  const source = sourceImportMs(runs);
  show({ bundle, source });
  const row = (what: string, r: { requestsPerSecond: number; p50Ms: number; p99Ms: number }, extra = '') =>
    `| ${what} | ${r.requestsPerSecond.toFixed(1)} | ${r.p50Ms.toFixed(1)} ms | ${r.p99Ms.toFixed(1)} ms | ${extra} |`;
  const outcomes = Object.entries(api.postWithWorkflows.outcomes)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  return [
    '## HTTPS API through the local HTTP front',
    '',
    `Measured on ${new Date().toISOString().slice(0, 10)} with ${api.wrkVersion} (Debian package \`wrk\`), ${api.connections} connections, 2 threads, ${api.seconds} s per row,`,
    "against `slipway dev` (the HTTP front, the real middy handler, moto_server for AWS) in one process on loopback. The machine's",
    `1-minute load average was ${api.loadAverage[0].toFixed(1)} before and ${api.loadAverage[1].toFixed(1)} after (2 cores, shared with other work): read the`,
    "numbers as this machine's, not as Lambda's.",
    '',
    '| request | requests/s | p50 | p99 | notes |',
    '|---|---|---|---|---|',
    row('`GET /no-such-route` (baseline: front + middy + router, no AWS call)', api.front, `${api.front.requests} × 404 problem`),
    row('`GET /deployments/{id}`', api.get, `${api.get.requests} × 200; one GetItem each`),
    row('GetItem of the same record straight through the SDK (baseline)', api.getItem, 'what the emulator allows at 16 in flight'),
    row(
      '`POST /deployments`, workflow start recorded',
      api.post,
      `${api.post.requests} × 202 in the window; ${api.post.recordsCreated} records for ${api.post.startsRequested} accepted requests`,
    ),
    row(
      '`POST /deployments`, workflows run in-process (`npm start`)',
      api.postWithWorkflows,
      `${api.postWithWorkflows.recordsCreated} records; all settled ${api.postWithWorkflows.settleSeconds.toFixed(1)} s after the load: ${outcomes}`,
    ),
    '',
    'What a POST does: reads the target (GetItem), checks the release is in the bucket (HeadObject), writes the deployment',
    '(conditional PutItem), publishes its `queued` event (PutEvents), and starts the workflow (in AWS one StartExecution; in',
    'dev mode the state machine runs in the same process). The load posts the same `{ target: "hello", release }` over and',
    'over: every request is a new deployment of the same release (its id is derived from target, release, object version',
    'and request time, so only requests in the same millisecond share one). The first POST row swaps the orchestrator for',
    "one that only counts starts, which measures the API's own work; the second is what `npm start` does, where each",
    "accepted request also runs a workflow on the same two cores: the target's lock lets one through and the newest",
    'release supersedes every older waiting one, so all but one end `superseded`.',
    '',
    `The front, middy and the router alone answer ${api.front.requestsPerSecond.toFixed(0)} requests/s; \`GET /deployments/{id}\` runs at`,
    `${pct(api.get.requestsPerSecond, api.getItem.requestsPerSecond)} of the rate moto answers the bare GetItem at the same concurrency: the emulator, not`,
    'the handler, sets the pace. POST makes four emulator calls in a row, hence its higher latency.',
    '',
    '### API handler cold start',
    '',
    `| import | median of ${runs} fresh Node 22 processes |`,
    '|---|---|',
    bundle
      ? `| Lambda bundle (\`serverless package\`, SDK bundled) | ${bundle.coldImportMs.toFixed(1)} ms (${kb(bundle.bundleBytes)}) |`
      : '| Lambda bundle | not measured |',
    `| \`functions/api.ts\` from source with tsx (what \`npm start\` loads) | ${source.toFixed(1)} ms |`,
    '',
  ];
}

async function appsSection(): Promise<string[]> {
  const apps = await benchAppRelease(Number(process.env.BENCH_APP_RUNS ?? 3), Number(process.env.BENCH_APP_SITE_FILES ?? 500));
  show(apps);
  const operations = [...new Set([...Object.keys(apps.app.byOperation), ...Object.keys(apps.separate.byOperation)])].sort();
  const withoutPuts = (ops: Record<string, number>) => sum(ops) - (ops['s3 PUT'] ?? 0);
  const appOwn = withoutPuts(apps.app.byOperation);
  const separateOwn = withoutPuts(apps.separate.byOperation);
  return [
    '## App release in dev mode',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)}, ${apps.runs} runs. One app release of two functions and a ${apps.siteFiles}-file site (${kb(apps.siteBytes)}),`,
    'one zip with a folder per component, against the same three released as three targets of their own, one after another',
    '(two function targets and a site target, each its own zip, each upload waiting for the previous deployment to succeed), in',
    'the same dev service and the same run. Every target is `AllAtOnce` with no health signals, so the numbers are the',
    "workflow's own cost, not bake time (with a canary the three targets would bake one after another; the app's functions bake",
    'together). Each measured run changes both functions and one file of the site on both sides (the first, a full staging of',
    'every site, is not measured); the two sides alternate which goes first. Wall time: from the first upload to the last',
    'record reading `succeeded`. AWS calls: counted on the wire by a loopback proxy in front of moto, uploads included (the',
    "intake poller's long polls too, when they fell inside the window).",
    '',
    '```',
    'npm run bench -- --only apps     # BENCH_APP_RUNS=<n> (default 3), BENCH_APP_SITE_FILES=<n> (default 500)',
    '```',
    '',
    '| | wall time (median) | AWS API calls (median) |',
    '|---|---|---|',
    `| app release (1 deployment) | ${ms(apps.app.medianMs)} (${apps.wallRatio.toFixed(2)}×) | ${apps.app.apiCalls} (${apps.callsRatio.toFixed(2)}×) |`,
    `| three separate targets (3 deployments) | ${ms(apps.separate.medianMs)} (1×) | ${apps.separate.apiCalls} (1×) |`,
    '',
    `Separate targets, each deployment: ${Object.entries(apps.separate.medianMsByTarget)
      .map(([t, x]) => `${t} ${ms(x)}`)
      .join(', ')}.`,
    '',
    `The site's S3 PUTs (the release zips, and the site's files copied or uploaded into the new release prefix) are the same work on`,
    `both sides and most of the calls. Without them, in the last run: ${appOwn} calls for the app against ${separateOwn} for the three targets`,
    `(${(appOwn / separateOwn).toFixed(2)}×): one record, one lock and one set of events instead of three. The machine's 1-minute load average was`,
    `${loadavg()[0]!.toFixed(1)} at the end (2 cores, shared): read the ratios, not the milliseconds.`,
    '',
    'API calls by operation (the last run of each side):',
    '',
    '| operation | app release | separate targets |',
    '|---|---|---|',
    ...operations.map((op) => `| ${op} | ${apps.app.byOperation[op] ?? 0} | ${apps.separate.byOperation[op] ?? 0} |`),
    '',
  ];
}

async function evidenceSection(): Promise<string[]> {
  const evidenceRuns = Number(process.env.BENCH_EVIDENCE_RUNS ?? 1000);
  const result = benchEvidence(evidenceRuns);
  const counted = (t: Tally) => Object.fromEntries(Object.entries(t).map(([outcome, minutes]) => [outcome, minutes.length]));
  show({ ...result, cases: result.cases.map((c) => ({ ...c, slipway: counted(c.slipway), timed: counted(c.timed) })) });
  const s = result.settings;
  const share = (t: Tally, outcome: keyof Tally) => pct(t[outcome].length, result.runs);
  const minutes = (t: Tally, outcome: keyof Tally) => (t[outcome].length ? `${medianOf(t[outcome]).toFixed(0)} min` : '–');
  const byCase = (perMinute: number, regression: boolean) => {
    const found = result.cases.find((c) => c.perMinute === perMinute && c.regression === regression && c.margin === s.margin);
    if (!found) throw new Error(`no simulated case for ${perMinute}/min`);
    return found;
  };
  const rows = result.cases.flatMap((c) => {
    const right = c.regression ? 'fail' : 'pass';
    const wrong = c.regression ? 'pass' : 'fail';
    const traffic = `${c.perMinute.toLocaleString('en-US')}/min`;
    const canary = c.regression ? `${(100 * REGRESSED_RATE).toFixed(0)}% (regression)` : `${(100 * BASELINE_RATE).toFixed(0)}% (none)`;
    const row = (method: string, t: Tally, invocations: string) =>
      `| ${traffic} | ${canary} | ${method} | ${share(t, 'fail')} | ${share(t, 'pass')} | ${t === c.timed ? '–' : share(t, 'inconclusive')} | **${share(t, right)}** | ${share(t, wrong)} | ${minutes(t, right)} | ${invocations} |`;
    const slipway = row(c.margin === s.margin ? 'slipway' : `slipway, margin ${c.margin}`, c.slipway, Math.round(c.canaryInvocations).toLocaleString('en-US'));
    if (c.margin !== s.margin) return [slipway];
    return [slipway, row(`timed 10 min, alarm Errors ≥ ${c.threshold}/min`, c.timed, `${(c.perMinute * CANARY_SHARE * 10).toLocaleString('en-US')} (mean)`)];
  });
  return [
    '## Canary verdicts on evidence (simulated)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)}: ${result.runs} simulated canaries per row (bench/evidence.ts; seeded, so every run draws the same traffic; no AWS).`,
    `A function serving 1, 10 and 1,000 requests a minute (Poisson), ${(100 * CANARY_SHARE).toFixed(0)}% of them to the canary; the stable version at ${(100 * BASELINE_RATE).toFixed(0)}% errors, the`,
    `canary at ${(100 * REGRESSED_RATE).toFixed(0)}% (a regression: the right verdict is fail) or at ${(100 * BASELINE_RATE).toFixed(0)}% (none: the right verdict is pass). Both methods see the same traffic.`,
    '',
    `- **slipway**: the canary step judged every minute on the evidence since it began (\`minInvocations\` ${s.minInvocations}, \`confidence\` ${s.confidence},`,
    `  \`margin\` ${s.margin}, \`maxErrorRate\` ${s.maxErrorRate}, \`maxBakeSeconds\` ${s.maxBakeSeconds}); it ends at the first pass or fail, or inconclusive at`,
    '  `maxBakeSeconds`, where `onInconclusive` decides (the default, `rollback`, does not ship).',
    "- **timed**: CodeDeploy's `Canary10Percent10Minutes` with a CloudWatch alarm on the function's `Errors` (Sum over 1 minute ≥ the",
    '  threshold, 1 of 1 datapoints). The threshold is the lowest whose false alarms stay within 5% over the 10 minutes at the',
    '  healthy error rate (the same budget as confidence 0.95). No alarm: the release ships at 10 minutes.',
    '',
    '```',
    'npm run bench -- --only evidence     # BENCH_EVIDENCE_RUNS=<n> (default 1000)',
    '```',
    '',
    '| traffic | canary errors | method | fail | pass | inconclusive | right | wrong | time to the right verdict (median) | canary invocations (median) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Wrong is the opposite verdict: a regression shipped, or a healthy release rolled back. Inconclusive is neither: the step',
    'ran to `maxBakeSeconds` without the evidence for a verdict (6 canary invocations an hour at 1 request a minute, 60 at 10), and',
    '`onInconclusive` decides; the timed canary has no such state and ships what its alarm did not see. On the busy function',
    `slipway fails the regression in ${minutes(byCase(1000, true).slipway, 'fail')} (median), once the canary has about ${Math.round(byCase(1000, true).canaryInvocations).toLocaleString('en-US')} invocations, where the whole-function`,
    `alarm catches ${share(byCase(1000, true).timed, 'fail')} of them: the canary's extra errors (${(1000 * CANARY_SHARE * (REGRESSED_RATE - BASELINE_RATE)).toFixed(0)} a minute) drown in the stable version's ${(1000 * (1 - CANARY_SHARE) * BASELINE_RATE).toFixed(0)}.`,
    `Judging healthy releases every minute (up to 60 looks) failed ${share(byCase(1000, false).slipway, 'fail')} of them with the margin above. With margin 0 (the last two`,
    'rows, the same traffic) a pass needs the canary to be better than the stable version, which a healthy one is not: most',
    'healthy releases run to `maxBakeSeconds`, and the looks add up to false fails; one look at margin 0 is the table below',
    '(docs/analysis.md § Margin).',
    '',
    `One verdict took ${result.judgeMicros.toFixed(0)} µs on average on this machine (two quadratures at most; docs/analysis.md).`,
    '',
    '### One look at identical error rates',
    '',
    `False fails at confidence 0.95 over ${result.singleLook.canaries.toLocaleString('en-US')} simulated canaries per row, canary and baseline at the same rate, one look`,
    "with the counts shown: slipway's skeptical bounds (Fisher's exact test), against a beta posterior with a uniform prior",
    'Beta(1, 1) and with a Jeffreys prior Beta(½, ½). The nominal rate is 5%.',
    '',
    '| error rate | canary invocations | baseline invocations | slipway | uniform prior | Jeffreys prior |',
    '|---|---|---|---|---|---|',
    ...result.singleLook.rows.map(
      (r) =>
        `| ${(100 * r.rate).toFixed(1)}% | ${r.canary.toLocaleString('en-US')} | ${r.baseline.toLocaleString('en-US')} | ${(100 * r.slipway).toFixed(1)}% | ${(100 * r.uniform).toFixed(1)}% | ${(100 * r.jeffreys).toFixed(1)}% |`,
    ),
    '',
  ];
}

async function dashboardSection(): Promise<string[]> {
  const result = await benchDashboard(runs);
  show(result);
  return [
    '## Dashboard first load',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)}, ${result.runs} cold loads (a new headless Chromium ${result.chromium} with an empty profile each) of`,
    "`dashboardUrl` from `slipway dev`, to the rendered overview: all seven example targets listed and www's live release shown. The",
    'baseline is an empty page from a bare node:http server, timed the same way in the same browsers. The dashboard server gzips',
    'text as CloudFront does; the overview reads an API without `GET /summary` yet, so it composes the summary from',
    "`GET /targets` and each target's deployments (the request count below).",
    '',
    '```',
    'npm run bench -- --only dashboard',
    '```',
    '',
    '| | first load | goal |',
    '|---|---|---|',
    `| JavaScript, compressed (raw) | ${kb(result.jsBytesCompressed)} (${kb(result.jsBytesRaw)}) | < 300 KB compressed |`,
    `| CSS, compressed | ${kb(result.cssBytesCompressed)} | – |`,
    `| everything from the dashboard's origin | ${kb(result.totalBytes)} in ${result.requests} requests (${result.apiRequests} to the API) | – |`,
    `| navigation → rendered overview, median | ${ms(result.overviewMedianMs)} (runs: ${result.overviewRunsMs.map((x) => x.toFixed(0)).join(', ')} ms) | < 1 s |`,
    `| navigation → empty page, median (baseline) | ${ms(result.emptyPageMedianMs)} | – |`,
    '',
  ];
}

const SECTIONS = {
  deploy: { run: deploySection, headings: ['AllAtOnce deployment in dev mode', 'Rollback latency in dev mode'] },
  bundles: { run: bundlesSection, headings: ['Function bundles'] },
  sites: { run: sitesSection, headings: ['Site staging'] },
  api: { run: apiSection, headings: ['HTTPS API through the local HTTP front'] },
  apps: { run: appsSection, headings: ['App release in dev mode'] },
  evidence: { run: evidenceSection, headings: ['Canary verdicts on evidence (simulated)'] },
  dashboard: { run: dashboardSection, headings: ['Dashboard first load'] },
} as const;
type Section = keyof typeof SECTIONS;

function selected(argv: string[]): Section[] {
  const at = argv.indexOf('--only');
  const all = Object.keys(SECTIONS) as Section[];
  if (at < 0) return all;
  const names = (argv[at + 1] ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !(n in SECTIONS));
  if (names.length === 0 || unknown.length > 0) {
    process.stderr.write(`bench: --only takes a comma-separated list of ${all.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}\n`);
    process.exit(2);
  }
  return names as Section[];
}

/** The file's `## ` sections by heading, and what comes before the first. */
function readDoc(): { head: string; blocks: Map<string, string> } {
  const text = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
  const parts = text.split(/^(?=## )/m);
  const head = parts[0]?.startsWith('## ') ? '' : (parts.shift() ?? '');
  return { head, blocks: new Map(parts.map((part) => [part.slice(3, part.indexOf('\n')).trim(), part.trimEnd()])) };
}

const chosen = selected(process.argv.slice(2));
const fresh = new Map<Section, string[]>();
const failed: string[] = [];
for (const name of chosen) {
  try {
    fresh.set(name, await SECTIONS[name].run());
  } catch (error) {
    // Said loudly, the section's old numbers kept, and the run ends non-zero.
    process.stderr.write(`\nbench: section "${name}" was not measured: ${(error as Error).message}\n\n`);
    failed.push(name);
  }
}

const previous = readDoc();
const everything = chosen.length === Object.keys(SECTIONS).length && failed.length === 0;
const head =
  everything || !previous.head.trim()
    ? [
        '# Benchmarks',
        '',
        `Produced by \`npm run bench\` (BENCH_RUNS=${runs}) on ${new Date().toISOString().slice(0, 10)}, on this 2-core machine, against moto_server on loopback.`,
        'Numbers are medians; ratios compare with a baseline timed in the same run. They are measurements, not test assertions.',
        '`npm run bench -- --only <sections>` refreshes some sections and keeps the others (a refreshed section says when it was measured).',
        '',
      ].join('\n')
    : previous.head.trimEnd();
const body = (Object.keys(SECTIONS) as Section[]).map((name) => {
  const lines = fresh.get(name);
  if (lines) return lines.join('\n').trimEnd();
  const kept = SECTIONS[name].headings.map((h) => previous.blocks.get(h)).filter(Boolean);
  return kept.length ? kept.join('\n\n') : `## ${SECTIONS[name].headings[0]}\n\nNot measured yet: \`npm run bench -- --only ${name}\`.`;
});
writeFileSync(DOC, `${[head.trimEnd(), ...body].join('\n\n')}\n`);
process.stdout.write(`wrote ${DOC} (${[...fresh.keys()].join(', ') || 'no section'} measured; load average now ${loadavg()[0]!.toFixed(1)})\n`);
if (failed.length) {
  process.stderr.write(`bench: not measured: ${failed.join(', ')} (see above); their sections keep their previous numbers\n`);
  process.exitCode = 1;
}
