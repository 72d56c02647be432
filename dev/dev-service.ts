/**
 * `slipway dev`: the whole service on this machine. moto_server stands in for AWS; the same
 * handlers run in-process: the intake handler fed by a queue poller, the API handler behind a
 * local HTTP front, and the deploy state machine run by aws-local-stepfunctions. Site targets get
 * their origin bucket and distribution, release r1 from examples/sites/<target> deployed through
 * the normal intake and workflow, and a local edge that serves them the way CloudFront would.
 * App targets get their functions (version 1 from examples/apps/<app>/<component>/), their site's
 * bucket and distribution, release r1 of the site alone (a zip with only the site's folder) taken
 * live through the workflow, and a second edge that serves the apps' sites.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { DynamoLockStore } from '../shared/adapters/aws/dynamo-locks.js';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { CloudFrontOriginReader } from '../shared/adapters/aws/cloudfront-origin-reader.js';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { releaseKey } from '../shared/domain/artifact-key.js';
import { deploymentIdForObject, isTerminal } from '../shared/domain/deployment.js';
import { EVENT_SOURCE, STATUS_CHANGED_PATTERN } from '../shared/domain/events.js';
import { LOCAL_ACCOUNT } from './definition.js';
import { siteComponent } from '../shared/domain/app.js';
import { alarmNames, parseTarget, type AppTarget, type SiteTarget } from '../shared/domain/target.js';
import { startLocalEdge, type LocalEdge } from './edge.js';
import type { LocalOrchestrator } from './local-orchestrator.js';
import type { Orchestrator } from '../shared/ports/index.js';
import { startHttpFront } from './http-front.js';
import { ensureDashboardBuild, startDashboardServer } from './dashboard.js';
import { createLocalRuntime, type LocalRuntime } from './runtime.js';
import { taskFunctions } from './definition.js';
import { startEmulatorFront } from './emulator/front.js';
import { SUPPLEMENTS } from './emulator/supplements.js';
import { startMotoServer, type MotoServer } from './moto-server.js';
import { createAlarm, createAliasedFunction, provisionService, provisionSiteOrigin, seedConfigurationReferences } from './provision.js';
import { putExampleTraffic } from './example-traffic.js';
import { LocalSyntheticInvoker } from './local-synthetic-invoker.js';
import { startIntakePoller } from './intake-poller.js';
import { settleInterruptedDeployments } from './interrupted.js';
import { localLambdaContext } from './lambda-context.js';
import { claimPort } from './ports.js';
import { componentPackage, zipFiles } from './zip.js';

export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');

export interface DevInfo {
  awsEndpoint: string;
  apiUrl: string;
  region: string;
  artifactBucket: string;
  /** The local edge: the first site target (`www`) as its distribution would serve it. */
  siteUrl: string;
  /** Each app with a site: the URL its site is served at by the apps' edge, by component (`apps.shop.web`). */
  apps?: Record<string, Record<string, string>>;
  /** The web dashboard, served with the API under one origin (docs/dashboard.md). */
  dashboardUrl: string;
}

export interface DevService {
  info: DevInfo;
  orchestrator: LocalOrchestrator;
  stop(): Promise<void>;
}

/** The definition's Task states (read from it): the progress lines name these only. */
const taskStates = new Set(Object.keys(taskFunctions()));

export const DEV_NAMES = {
  tableName: 'slipway-local',
  artifactBucket: 'slipway-local-artifacts',
  queueName: 'slipway-local-intake',
  eventBus: 'slipway-local',
};

/**
 * A site target file in examples/targets/ cannot know the id moto gives its distribution at start,
 * so it says "LOCAL" and dev mode fills in the id of the distribution it creates for the bucket.
 * A dev-mode convenience only: a target registered anywhere else must name its real distribution.
 */
export const LOCAL_DISTRIBUTION_ID = 'LOCAL';

/** The release dev mode seeds live for a site target from examples/sites/<target>/. */
export const SEED_SITE_RELEASE = 'r1';

function readDirectory(dir: string, prefix = ''): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(files, readDirectory(path, `${prefix}${entry.name}/`));
    else files[`${prefix}${entry.name}`] = readFileSync(path);
  }
  return files;
}

/** The example targets as registered, with the site targets and the apps among them. */
interface SeededExamples {
  sites: SiteTarget[];
  apps: AppTarget[];
}

async function seedExamples(log: (line: string) => void): Promise<SeededExamples> {
  const functionsDir = join(EXAMPLES_DIR, 'functions');
  for (const name of readdirSync(functionsDir)) {
    await createAliasedFunction(name, await zipFiles(readDirectory(join(functionsDir, name))));
  }
  const store = new DynamoTargetStore({ tableName: DEV_NAMES.tableName });
  const sites: SiteTarget[] = [];
  const apps: AppTarget[] = [];
  const targetsDir = join(EXAMPLES_DIR, 'targets');
  for (const file of readdirSync(targetsDir).filter((f) => f.endsWith('.json'))) {
    const target = parseTarget(JSON.parse(readFileSync(join(targetsDir, file), 'utf8')));
    for (const alarm of alarmNames(target.health.alarms)) await createAlarm(alarm, 'OK');
    if (target.kind === 'function' && target.configuration) {
      const created = await seedConfigurationReferences(target.configuration.environment);
      if (created.length) log(`target ${target.name}: made-up ${created.join(', ')} for its configuration`);
    }
    if (target.kind === 'function' && target.window) {
      const points = await putExampleTraffic(target.function.name, target.window.timezone);
      log(`target ${target.name}: ${points} hours of made-up invocations in CloudWatch, for \`slipway windows suggest ${target.name}\``);
    }
    if (target.kind === 'site') {
      const { distributionId } = await provisionSiteOrigin(target.site.bucket);
      if (target.site.distributionId === LOCAL_DISTRIBUTION_ID) target.site.distributionId = distributionId;
      sites.push(target);
    }
    if (target.kind === 'app') {
      await provisionApp(target);
      apps.push(target);
    }
    await store.put(target);
    log(
      target.kind === 'function'
        ? `target ${target.name}: function ${target.function.name}:${target.function.alias}, strategy ${JSON.stringify(target.strategy)}`
        : target.kind === 'site'
          ? `target ${target.name}: site s3://${target.site.bucket}/${target.site.prefix} behind ${target.site.distributionId}`
          : `target ${target.name}: app of ${describeAppComponents(target)}, strategy ${JSON.stringify(target.strategy)}`,
    );
  }
  return { sites, apps };
}

/** The folder of an example app's sources: one folder per component, as in the app's release zip. */
function appDir(app: AppTarget): string {
  return join(EXAMPLES_DIR, 'apps', app.name);
}

/**
 * What an example app needs before its first release: each function component at version 1 behind
 * its alias (its code from the app's folder of that component), every alarm the app and its
 * components name, and the site's bucket and distribution ("LOCAL" filled in as for a site target).
 */
async function provisionApp(app: AppTarget): Promise<void> {
  for (const [name, component] of Object.entries(app.components)) {
    for (const alarm of alarmNames(component.health.alarms)) await createAlarm(alarm, 'OK');
    if ('function' in component) {
      const dir = join(appDir(app), name);
      if (!existsSync(dir)) throw new Error(`example app ${app.name}: component ${name} has no folder ${dir} to create ${component.function.name} from`);
      await createAliasedFunction(component.function.name, await componentPackage(readDirectory(dir)), component.function.alias);
    } else {
      const { distributionId } = await provisionSiteOrigin(component.site.bucket);
      if (component.site.distributionId === LOCAL_DISTRIBUTION_ID) component.site.distributionId = distributionId;
    }
  }
}

function describeAppComponents(app: AppTarget): string {
  return Object.entries(app.components)
    .map(([name, c]) =>
      'function' in c ? `${name} (function ${c.function.name}:${c.function.alias})` : `${name} (site s3://${c.site.bucket}/${c.site.prefix})`,
    )
    .join(', ');
}

/**
 * Takes a seed release live the way a user would: its zip dropped into the artifact bucket, picked
 * up by intake, run through the workflow; resolves once its record says `succeeded`.
 */
async function seedRelease(target: string, zip: Uint8Array, artifactBucket: string): Promise<void> {
  const key = releaseKey(target, SEED_SITE_RELEASE);
  const put = await new S3Client({ forcePathStyle: true }).send(
    new PutObjectCommand({
      Bucket: artifactBucket,
      Key: key,
      Body: zip,
      ContentType: 'application/zip',
      Metadata: { sha256: createHash('sha256').update(zip).digest('hex') },
    }),
  );
  // The id intake derives from the S3 event, as the CLI derives it after an upload.
  const etag = put.ETag?.replace(/^"|"$/g, '');
  const id = deploymentIdForObject({ bucket: artifactBucket, key, ...(put.VersionId ? { versionId: put.VersionId } : {}), ...(etag ? { etag } : {}) });
  const deployments = new DynamoDeploymentStore({ tableName: DEV_NAMES.tableName });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const deployment = await deployments.get(id);
    if (deployment && isTerminal(deployment.status)) {
      if (deployment.status !== 'succeeded') {
        throw new Error(`seeding ${target} ${SEED_SITE_RELEASE} ended ${deployment.status}: ${deployment.reason ?? 'no reason'}`);
      }
      return;
    }
    if (Date.now() > deadline) throw new Error(`seeding ${target} ${SEED_SITE_RELEASE}: deployment ${id} did not finish within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Release r1 of a site target, from examples/sites/<target>/. Skipped when the distribution already
 * serves a release (dev mode pointed at an emulator that outlived a previous run).
 */
async function seedSiteRelease(target: SiteTarget, artifactBucket: string, log: (line: string) => void): Promise<void> {
  const siteDir = join(EXAMPLES_DIR, 'sites', target.name);
  if (!existsSync(siteDir)) return;
  if ((await new CloudFrontOriginReader().currentOriginPath(target.site.distributionId, target.site.bucket)) !== '') return;
  await seedRelease(target.name, await zipFiles(readDirectory(siteDir)), artifactBucket);
  log(`slipway dev: site ${target.name} serves ${SEED_SITE_RELEASE} from s3://${target.site.bucket}/${target.site.prefix}${SEED_SITE_RELEASE}/`);
}

/**
 * Release r1 of an app's site: a zip holding only the site's folder from examples/apps/<app>/, so
 * the functions stay at version 1 (a missing folder is an unchanged component) and the site
 * switches at once. Skipped when the site's distribution already serves a release.
 */
async function seedAppSiteRelease(app: AppTarget, artifactBucket: string, log: (line: string) => void): Promise<void> {
  const site = siteComponent(app);
  if (!site) return;
  const dir = join(appDir(app), site.component);
  if (!existsSync(dir)) return;
  const { bucket, distributionId, prefix } = site.target.site;
  if ((await new CloudFrontOriginReader().currentOriginPath(distributionId, bucket)) !== '') return;
  await seedRelease(app.name, await zipFiles(readDirectory(dir, `${site.component}/`)), artifactBucket);
  log(`slipway dev: app ${app.name} serves ${SEED_SITE_RELEASE} of its site ${site.component} from s3://${bucket}/${prefix}${SEED_SITE_RELEASE}/`);
}

export async function startDevService(options: {
  projectRoot: string;
  stateDir?: string;
  log?: (line: string) => void;
  /** Print each deployment's steps (one record read per step); the benchmarks turn it off. */
  progress?: boolean;
  /** Where the API and intake start executions, given the local orchestrator (the API benchmark records some starts instead). */
  wrapOrchestrator?: (local: Orchestrator) => Orchestrator;
}): Promise<DevService> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  // The emulator's clients take the region from the standard chain, which a newcomer's shell may not fill.
  process.env.AWS_REGION ??= region;
  const stateDir = options.stateDir ?? join(options.projectRoot, '.slipway');
  mkdirSync(stateDir, { recursive: true });
  const ports = devPorts();
  const motoPidFile = join(stateDir, MOTO_PID_FILE);
  const externalEndpoint = process.env.AWS_ENDPOINT_URL;
  if (!externalEndpoint && ports.aws !== undefined) {
    await claimPort({
      port: ports.aws,
      setting: 'SLIPWAY_DEV_AWS_PORT',
      purpose: 'moto_server',
      motoPidFile,
      alternative: `set AWS_ENDPOINT_URL=http://127.0.0.1:${ports.aws} to use that emulator instead of starting one`,
      log,
    });
  }
  if (ports.api !== undefined) await claimPort({ port: ports.api, setting: 'SLIPWAY_DEV_API_PORT', purpose: 'the API', log });
  if (ports.edge !== undefined) await claimPort({ port: ports.edge, setting: 'SLIPWAY_DEV_EDGE_PORT', purpose: 'the local edge', log });
  if (ports.appEdge !== undefined) {
    await claimPort({ port: ports.appEdge, setting: 'SLIPWAY_DEV_APP_EDGE_PORT', purpose: "the apps' edge", log });
  }
  if (ports.dashboard !== undefined) await claimPort({ port: ports.dashboard, setting: 'SLIPWAY_DEV_DASHBOARD_PORT', purpose: 'the dashboard', log });

  let moto: MotoServer | undefined;
  if (!externalEndpoint) {
    moto = await startMotoServer({ projectRoot: options.projectRoot, pidFile: motoPidFile, ...(ports.aws !== undefined ? { port: ports.aws } : {}) });
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    process.env.AWS_ACCESS_KEY_ID ??= 'testing';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
    log(`slipway dev: AWS emulator on ${moto.endpoint} (moto_server pid ${moto.pid}, behind the front that adds what it lacks)`);
  }
  // Whatever started before a failure is stopped again, in reverse order.
  const started: (() => Promise<void> | void)[] = [];
  if (moto) started.push(() => moto.stop());
  // An emulator of the user's own lacks what moto lacks (provisioned concurrency, CloudFront
  // continuous deployment): dev mode's clients reach it through a front of this process too, while
  // dev.json names the emulator itself, which outlives dev mode.
  let endpoint = moto?.endpoint ?? '';
  if (externalEndpoint) {
    const front = await startEmulatorFront({ upstream: externalEndpoint, supplements: SUPPLEMENTS });
    started.push(() => front.close());
    process.env.AWS_ENDPOINT_URL = front.endpoint;
    endpoint = front.endpoint;
    log(`slipway dev: AWS emulator ${externalEndpoint} (AWS_ENDPOINT_URL), behind the front that adds what it lacks on ${front.endpoint}`);
  }
  const reportedEndpoint = externalEndpoint ?? endpoint;
  const stopStarted = async () => {
    for (const stop of started.splice(0).reverse()) await stop();
  };
  try {
    return await runDevService({ ...options, log, region, endpoint, reportedEndpoint, stateDir, ports, started, stopStarted });
  } catch (error) {
    await stopStarted();
    throw error;
  }
}

/**
 * The apps' sites, on an edge of their own (a second URL beside the site targets' edge): their r1
 * seeded first, the first app's site at the edge's URL, any other at `http://<app>.localhost:<port>`
 * (the edge picks the app by host name). Returns each app's site URL by component name.
 */
async function startAppEdge(options: {
  apps: AppTarget[];
  port: number;
  artifactBucket: string;
  started: (() => Promise<void> | void)[];
  log: (line: string) => void;
}): Promise<Record<string, Record<string, string>>> {
  const withSite = options.apps.flatMap((app) => {
    const site = siteComponent(app);
    return site ? [{ app, site }] : [];
  });
  if (withSite.length === 0) return {};
  for (const { app } of withSite) await seedAppSiteRelease(app, options.artifactBucket, options.log);
  const edge = await startLocalEdge({ port: options.port, targets: withSite.map(({ site }) => site.target) });
  options.started.push(() => edge.close());
  const urls: Record<string, Record<string, string>> = {};
  withSite.forEach(({ app, site }, i) => {
    const url = i === 0 ? edge.url : `http://${app.name}.localhost:${edge.port}`;
    urls[app.name] = { [site.component]: url };
    options.log(`slipway dev: app ${app.name}, its site ${site.component} at ${url}`);
  });
  return urls;
}

/** The name of the file in the state directory that holds the pid of the moto_server dev mode started. */
export const MOTO_PID_FILE = 'moto.pid';

interface DevPorts {
  aws?: number;
  api?: number;
  edge?: number;
  /** The second edge, for the apps' sites. */
  appEdge?: number;
  dashboard?: number;
}

function devPorts(): DevPorts {
  const read = (name: string): number | undefined => {
    const raw = process.env[name];
    if (raw === undefined || raw === '' || raw === '0') return undefined;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`${name}=${raw} is not a TCP port: use a number from 1 to 65535, or unset it for a free port`);
    return port;
  };
  const aws = read('SLIPWAY_DEV_AWS_PORT');
  const api = read('SLIPWAY_DEV_API_PORT');
  const edge = read('SLIPWAY_DEV_EDGE_PORT');
  const appEdge = read('SLIPWAY_DEV_APP_EDGE_PORT');
  const dashboard = read('SLIPWAY_DEV_DASHBOARD_PORT');
  return {
    ...(aws ? { aws } : {}),
    ...(api ? { api } : {}),
    ...(edge ? { edge } : {}),
    ...(appEdge ? { appEdge } : {}),
    ...(dashboard ? { dashboard } : {}),
  };
}

async function runDevService(options: {
  projectRoot: string;
  log: (line: string) => void;
  region: string;
  /** Where dev mode's own clients reach the emulator (through the front). */
  endpoint: string;
  /** What dev.json names: the emulator a user's AWS CLI calls (theirs, when AWS_ENDPOINT_URL was set). */
  reportedEndpoint: string;
  stateDir: string;
  ports: DevPorts;
  progress?: boolean;
  wrapOrchestrator?: (local: Orchestrator) => Orchestrator;
  started: (() => Promise<void> | void)[];
  stopStarted: () => Promise<void>;
}): Promise<DevService> {
  const { log, region, endpoint, started } = options;
  const env = {
    SLIPWAY_TABLE: DEV_NAMES.tableName,
    SLIPWAY_ARTIFACT_BUCKET: DEV_NAMES.artifactBucket,
    SLIPWAY_EVENT_BUS: DEV_NAMES.eventBus,
    SLIPWAY_LOCK_POLL_SECONDS: '1',
    SLIPWAY_INVALIDATION_POLL_SECONDS: '1',
    // A waiting release looks at its window, freezes and promotes this often (60 s in AWS).
    SLIPWAY_WINDOW_CHECK_SECONDS: '2',
    // The local engine keeps no execution history, so a long wait need not check less often.
    SLIPWAY_HISTORY_EVENT_BUDGET: '100000000',
    // moto's CloudWatch cannot compute percentiles (a p99 query answers 500): latency is not judged here.
    SLIPWAY_DURATION_P99: 'off',
  };
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

  // The dashboard builds (when its sources changed) while the emulator is provisioned.
  const dashboardBuild = ensureDashboardBuild({ projectRoot: options.projectRoot, log });
  dashboardBuild.catch(() => undefined);
  const infra = await provisionService(DEV_NAMES);
  const { sites, apps } = await seedExamples(log);

  const deployments = new DynamoDeploymentStore({ tableName: DEV_NAMES.tableName });
  // health.synthetic: the emulator's Lambda runs no code, so canary versions run here (hello-evidence).
  const syntheticInvoker = new LocalSyntheticInvoker({ artifactBucket: DEV_NAMES.artifactBucket, codeDir: join(options.stateDir, 'functions'), region, log });
  started.push(() => syntheticInvoker.stop());
  let notify: LocalRuntime['notify'] | undefined;
  const runtime = createLocalRuntime({
    env,
    endpoint,
    region,
    syntheticInvoker,
    ...(options.wrapOrchestrator ? { wrapOrchestrator: options.wrapOrchestrator } : {}),
    run: {
      onProgress: (execution, state) => {
        if (options.progress === false) return;
        // Task states only: Choice and Wait states would drown the useful lines.
        if (state && !taskStates.has(state)) return;
        void deployments.get(execution.name).then(
          (d) => {
            const what = d ? `${d.target} ${d.release}` : execution.name;
            if (state) log(`slipway dev: ${what} (${execution.name}) → ${state}`);
            else log(`slipway dev: ${what} (${execution.name}) ended ${d?.status ?? execution.status}${d?.reason ? `: ${d.reason}` : ''}`);
          },
          () => undefined,
        );
      },
    },
    // The notify function's rule (serverless.yml), played in-process: moto's EventBridge does not
    // invoke Lambda targets, and delivering through a rule to a queue costs it ~0.4 s per PutEvents.
    onEventPublished: (detailType, detail) => {
      if (!STATUS_CHANGED_PATTERN['detail-type'].includes(detailType)) return;
      const event = {
        version: '0',
        id: randomUUID(),
        source: EVENT_SOURCE,
        'detail-type': detailType,
        account: LOCAL_ACCOUNT,
        time: new Date().toISOString(),
        region,
        resources: [],
        detail,
      };
      notify?.(event as never, {} as never).catch((error: unknown) => log(`slipway dev: notify error: ${(error as Error).message}`));
    },
  });
  notify = runtime.notify;
  const { orchestrator } = runtime;
  started.push(() => orchestrator.stop());

  // Before intake or the API can start anything: what a killed run left half done is undone.
  await settleInterruptedDeployments({
    targets: new DynamoTargetStore({ tableName: DEV_NAMES.tableName }),
    deployments,
    locks: new DynamoLockStore({ tableName: DEV_NAMES.tableName }),
    rollback: (state) => runtime.rollback(state as never, localLambdaContext('rollback') as never),
    log,
  });

  const poller = startIntakePoller({
    queueUrl: infra.queueUrl,
    handler: runtime.intake as never,
    onError: (error) => log(`slipway dev: intake error: ${(error as Error).message}`),
  });
  started.push(() => poller.stop());
  const front = await startHttpFront({ port: options.ports.api ?? 0, handler: runtime.api as never });
  started.push(() => front.close());

  for (const site of sites) await seedSiteRelease(site, infra.artifactBucket, log);
  const edge: LocalEdge = await startLocalEdge({ port: options.ports.edge ?? 0, targets: sites });
  started.push(() => edge.close());
  if (sites[0]) log(`slipway dev: site ${sites[0].name} at ${edge.url}`);
  const appUrls = await startAppEdge({ apps, port: options.ports.appEdge ?? 0, artifactBucket: infra.artifactBucket, started, log });
  const dashboard = await startDashboardServer({ port: options.ports.dashboard ?? 0, distDir: await dashboardBuild, apiUrl: front.url });
  started.push(() => dashboard.close());

  const info: DevInfo = {
    awsEndpoint: options.reportedEndpoint,
    apiUrl: front.url,
    region,
    artifactBucket: infra.artifactBucket,
    siteUrl: edge.url,
    ...(Object.keys(appUrls).length ? { apps: appUrls } : {}),
    dashboardUrl: dashboard.url,
  };
  writeFileSync(join(options.stateDir, 'dev.json'), `${JSON.stringify(info, null, 2)}\n`);

  return { info, orchestrator, stop: options.stopStarted };
}
