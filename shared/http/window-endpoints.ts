/**
 * Deploy-window routes: when a target's window opens next (and what waits for it), and windows
 * suggested from the target's traffic. Answers go through window-schemas.ts.
 */
import { toView } from '../domain/deployment.js';
import { parseWith } from '../domain/target.js';
import type { DeploymentHistory } from '../ports/control.js';
import type { Clock, TargetStore, TrafficMetrics } from '../ports/index.js';
import { showWindow, suggestTargetWindows } from '../usecases/windows.js';
import { pathParam, type ApiEvent, type ApiResult } from './request.js';
import { suggestionsQuerySchema, suggestionsViewSchema, windowQuerySchema, windowViewSchema } from './window-schemas.js';
import { jsonAnswer } from './answers.js';

export interface WindowApiDeps {
  targets: Pick<TargetStore, 'get'>;
  history: DeploymentHistory;
  metrics: TrafficMetrics;
  clock: Clock;
}

export type WindowEndpoint = (deps: WindowApiDeps, event: ApiEvent) => Promise<ApiResult>;

/** `GET /targets/{name}/window?count=N`. */
export const getWindowEndpoint: WindowEndpoint = async (deps, event) => {
  const name = pathParam(event, 'name');
  const { query } = parseWith(windowQuerySchema, { query: event.queryStringParameters ?? {} }, 'request');
  const view = await showWindow(deps, name, { count: query.count });
  const waiting = await deps.history.listPage({ target: name, statuses: ['queued', 'waiting'], limit: 50 });
  return jsonAnswer(200, windowViewSchema, {
    target: name,
    timezone: view.timezone,
    now: view.now.toISOString(),
    openings: view.openings.map((o) => ({ at: o.at.toISOString(), closesAt: o.closesAt.toISOString(), allow: view.allow[o.allowIndex]! })),
    deny: view.deny.map((d) => ({ from: d.from.toISOString(), to: d.to.toISOString(), reason: d.reason })),
    waiting: waiting.deployments.map(toView),
  });
};

/** `GET /targets/{name}/window/suggestions?durationMinutes=&days=&count=&timezone=`. */
export const windowSuggestionsEndpoint: WindowEndpoint = async (deps, event) => {
  const name = pathParam(event, 'name');
  const { query } = parseWith(suggestionsQuerySchema, { query: event.queryStringParameters ?? {} }, 'request');
  const { profile, suggestions } = await suggestTargetWindows(deps, {
    target: name,
    durationMinutes: query.durationMinutes,
    days: query.days,
    count: query.count,
    ...(query.timezone ? { timezone: query.timezone } : {}),
  });
  return jsonAnswer(200, suggestionsViewSchema, {
    target: name,
    timezone: profile.timezone,
    days: query.days,
    samples: profile.samples,
    profile: profile.hours.map((h) => (h === undefined ? null : h)),
    suggestions,
  });
};
