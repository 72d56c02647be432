/**
 * Schemas of the deploy-window routes: the next openings of a target's window and suggestions
 * from its traffic. Queries are wrapped in `query` so issues read `query.days`.
 */
import { z } from 'zod';
import { HOURS_PER_WEEK } from '../domain/traffic-profile.js';
import { isTimeZone } from '../domain/window.js';
import { deploymentViewSchema } from './control-schemas.js';

export const windowQuerySchema = z.object({ query: z.object({ count: z.coerce.number().int().min(1).max(50).default(5) }).strict() }).strict();

/**
 * A time the CLI prints in a zone: checked so that a wrong answer fails with a clear message, not a
 * RangeError halfway through a table. A refinement, so the OpenAPI document still says `string`.
 */
const instant = z.string().refine((text) => Number.isFinite(Date.parse(text)), 'must be an ISO 8601 time');

/** `GET /targets/{name}/window?count=N`. */
export const windowViewSchema = z.object({
  target: z.string(),
  /** null: the target has no window and releases start at once. */
  timezone: z.string().nullable(),
  now: instant,
  openings: z.array(
    z.object({
      at: instant,
      closesAt: instant,
      allow: z.object({ cron: z.string(), durationMinutes: z.number() }),
    }),
  ),
  /** Freezes that have not ended, as instants. */
  deny: z.array(z.object({ from: instant, to: instant, reason: z.string() })),
  /** Deployments of the target waiting for their window or schedule. */
  waiting: z.array(deploymentViewSchema),
});

export const suggestionsQuerySchema = z
  .object({
    query: z
      .object({
        durationMinutes: z.coerce
          .number()
          .int()
          .min(15)
          .max(24 * 60)
          .default(180),
        days: z.coerce.number().int().min(1).max(28).default(28),
        count: z.coerce.number().int().min(1).max(10).default(3),
        timezone: z
          .string()
          .refine(isTimeZone, (name) => ({ message: `unknown time zone "${name}": use an IANA name such as Europe/Berlin` }))
          .optional(),
      })
      .strict(),
  })
  .strict();

/** `GET /targets/{name}/window/suggestions`. */
export const suggestionsViewSchema = z.object({
  target: z.string(),
  timezone: z.string(),
  days: z.number(),
  samples: z.number(),
  /** Average requests per hour of the week, index 0 = Monday 00:00 local; null where no data. */
  profile: z.array(z.number().nullable()).length(HOURS_PER_WEEK),
  suggestions: z.array(z.object({ startHour: z.number(), durationMinutes: z.number(), cron: z.string(), averagePerHour: z.number(), label: z.string() })),
});
