import { z } from 'zod';

/**
 * A list of at most `max` items, refused before any item is looked at. zod checks every item of
 * an array even when the array is already too long, and some items are costly to check (a cron is
 * compiled): 250,000 allow entries took a minute to refuse.
 */
export function boundedArray<T extends z.ZodTypeAny>(item: T, bounds: { min?: number; max: number }): z.ZodEffects<z.ZodArray<T>, z.output<T>[], z.input<T>[]> {
  const list = bounds.min === undefined ? z.array(item).max(bounds.max) : z.array(item).min(bounds.min).max(bounds.max);
  return z.preprocess((value, ctx) => {
    if (Array.isArray(value) && value.length > bounds.max) {
      ctx.addIssue({
        code: z.ZodIssueCode.too_big,
        type: 'array',
        maximum: bounds.max,
        inclusive: true,
        exact: false,
        message: `must hold at most ${bounds.max} entries, not ${value.length}`,
        fatal: true,
      });
      return z.NEVER;
    }
    return value;
  }, list) as z.ZodEffects<z.ZodArray<T>, z.output<T>[], z.input<T>[]>; // preprocess types its input as unknown; it takes what the list takes
}
