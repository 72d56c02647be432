/**
 * The answers of the deploy-window routes, checked so that an API answering something else fails
 * with a clear message instead of a TypeError halfway through printing a table.
 */
import { z } from 'zod';
import { HOURS_PER_WEEK } from '../shared/domain/traffic-profile.js';

const instant = z.string().refine((text) => Number.isFinite(Date.parse(text)), 'must be an ISO 8601 time');

/** A deployment view as listed among the waiting ones: the fields printed are checked, the rest kept. */
const waitingDeploymentSchema = z
  .object({
    id: z.string(),
    target: z.string(),
    release: z.string(),
    status: z.string(),
    reason: z.string().nullable().optional(),
    startsAt: instant.nullable().optional(),
    notBefore: instant.nullable().optional(),
    timeline: z.array(z.unknown()).optional(),
  })
  .passthrough();

/** `GET /targets/{name}/window?count=N`. `timezone` null: the target has no window, releases start at once. */
export const windowViewSchema = z.object({
  target: z.string(),
  timezone: z.string().nullable(),
  now: instant,
  openings: z.array(
    z.object({
      at: instant,
      closesAt: instant,
      allow: z.object({ cron: z.string(), durationMinutes: z.number() }),
    }),
  ),
  /** The freezes that have not ended, as instants. */
  deny: z.array(z.object({ from: instant, to: instant, reason: z.string() })),
  waiting: z.array(waitingDeploymentSchema),
});

export type WindowView = z.infer<typeof windowViewSchema>;
export type WaitingDeployment = WindowView['waiting'][number];

/** `GET /targets/{name}/window/suggestions?durationMinutes=&days=&count=&timezone=`. */
export const windowSuggestionsSchema = z.object({
  target: z.string(),
  timezone: z.string(),
  days: z.number(),
  samples: z.number(),
  /** Average per hour of the week, index 0 = Monday 00:00 local; null where no datapoint was seen. */
  profile: z.array(z.number().nullable()).length(HOURS_PER_WEEK),
  suggestions: z.array(
    z.object({
      startHour: z.number().int().min(0).max(HOURS_PER_WEEK - 1),
      durationMinutes: z.number(),
      cron: z.string(),
      averagePerHour: z.number(),
      label: z.string(),
    }),
  ),
});

export type WindowSuggestions = z.infer<typeof windowSuggestionsSchema>;

export interface SuggestionQuery {
  durationMinutes: number;
  days: number;
  count: number;
  timezone?: string;
}
