import { createAlarm, createAliasedFunction } from '../../dev/provision.js';
import { functionPackage, zipFiles } from '../../dev/zip.js';
import { appTargetSchema, parseWith, type AppTarget } from '../../shared/domain/target.js';
import type { z } from 'zod';
import { uniqueName } from './aws-env.js';
import { createSiteOrigin } from './site-harness.js';
import type { World } from './workflow-harness.js';

export interface TestApp {
  target: AppTarget;
  api: string;
  worker: string;
  site: { bucket: string; prefix: string; distributionId: string };
  /** The app's alarm and the worker's own. */
  alarms: { app: string; worker: string };
}

/** The code of a function component: what functionPackage('…') holds, as a folder of the app's zip. */
export const handlerSource = (body: string) => `export const handler = async () => ({ statusCode: 200, body: ${JSON.stringify(body)} });\n`;

/**
 * An app `api` + `worker` + `web`: two functions at version 1 behind `live`, a site on its own
 * bucket and distribution, an alarm of the app and one of the worker, all OK.
 */
export async function createApp(world: World, overrides: Partial<z.input<typeof appTargetSchema>> = {}): Promise<TestApp> {
  const name = uniqueName('app').toLowerCase().slice(0, 36);
  const api = `${name}-api`;
  const worker = `${name}-worker`;
  // One after the other: the first creates the functions' shared execution role.
  await createAliasedFunction(api, await functionPackage('api v1'));
  await createAliasedFunction(worker, await functionPackage('worker v1'));
  const origin = await createSiteOrigin(name);
  const site = { ...origin, prefix: 'web/' };
  const alarms = { app: `${name}-5xx`, worker: `${name}-worker-errors` };
  await Promise.all([createAlarm(alarms.app), createAlarm(alarms.worker)]);
  const target = parseWith(
    appTargetSchema,
    {
      name,
      kind: 'app',
      components: {
        api: { function: { name: api, alias: 'live' } },
        worker: { function: { name: worker, alias: 'live' }, health: { alarms: [alarms.worker] } },
        web: { site },
      },
      strategy: { type: 'canary', percent: 10, bakeSeconds: 1 },
      health: { alarms: [alarms.app], pollSeconds: 1 },
      ...overrides,
    },
    'target',
  );
  await world.targets.put(target);
  return { target, api, worker, site, alarms };
}

/** An app release zip: one folder per component given (a function's handler body, a site's files). */
export function appZip(parts: { api?: string; worker?: string; web?: Record<string, string>; extra?: Record<string, string> }): Promise<Buffer> {
  const files: Record<string, string> = { ...parts.extra };
  if (parts.api !== undefined) files['api/index.mjs'] = handlerSource(parts.api);
  if (parts.worker !== undefined) files['worker/index.mjs'] = handlerSource(parts.worker);
  for (const [path, body] of Object.entries(parts.web ?? {})) files[`web/${path}`] = body;
  return zipFiles(files);
}
