/**
 * What a validation message can say beyond zod's words: the fields a schema knows at a path (for
 * "did you mean" on a mistyped one), and which branch of a union a value meant (so a bad canary
 * percent is named as such, not as "must be one of the documented shapes").
 */
import { distance } from 'fastest-levenshtein';
import { z } from 'zod';

/** The schemas a value at this schema may be checked against, wrappers and unions opened. */
function alternatives(schema: z.ZodTypeAny, seen = new Set<z.ZodTypeAny>()): z.ZodTypeAny[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  if (schema instanceof z.ZodEffects) return alternatives(schema.innerType(), seen);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return alternatives(schema.unwrap(), seen);
  if (schema instanceof z.ZodDefault) return alternatives(schema.removeDefault(), seen);
  if (schema instanceof z.ZodUnion || schema instanceof z.ZodDiscriminatedUnion) {
    return (schema.options as z.ZodTypeAny[]).flatMap((option) => alternatives(option, seen));
  }
  if (schema instanceof z.ZodIntersection) return [...alternatives(schema._def.left, seen), ...alternatives(schema._def.right, seen)];
  if (schema instanceof z.ZodPipeline) return alternatives(schema._def.in, seen);
  if (schema instanceof z.ZodLazy) return alternatives(schema.schema, seen);
  return [schema];
}

/** The field names an object at `path` may have, by any branch of the schema. */
export function fieldsAt(schema: z.ZodTypeAny, path: readonly (string | number)[]): string[] {
  let here = alternatives(schema);
  for (const segment of path) {
    here = here.flatMap((s) => {
      if (s instanceof z.ZodObject) {
        const child = (s.shape as Record<string, z.ZodTypeAny>)[String(segment)];
        return child ? alternatives(child) : [];
      }
      if (s instanceof z.ZodArray) return alternatives(s.element);
      if (s instanceof z.ZodRecord) return alternatives(s.valueSchema);
      if (s instanceof z.ZodTuple && typeof segment === 'number') {
        const item = (s.items as z.ZodTypeAny[])[segment];
        return item ? alternatives(item) : [];
      }
      return [];
    });
  }
  const names = here.flatMap((s) => (s instanceof z.ZodObject ? Object.keys(s.shape as object) : []));
  return [...new Set(names)];
}

/** The known name closest to a mistyped one, when it is close enough to be what was meant. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  const budget = Math.max(2, Math.floor(wanted.length / 3));
  let best: { name: string; score: number } | undefined;
  for (const candidate of known) {
    const lower = candidate.toLowerCase();
    const score = distance(wanted, lower);
    // `status` for `statusCode`: one name the start of the other counts as close.
    const prefix = wanted.length >= 3 && (lower.startsWith(wanted) || wanted.startsWith(lower));
    if ((score <= budget || prefix) && (!best || score < best.score)) best = { name: candidate, score };
  }
  return best?.name;
}

/**
 * The issues of the union branch the value meant: a branch whose literal fields (such as `type`)
 * the value matched, the one with the fewest issues; undefined when it matched no branch's
 * literals (then no branch can be named).
 */
export function meantBranch(issue: z.ZodInvalidUnionIssue): z.ZodIssue[] | undefined {
  const here = issue.path.length;
  // A branch the value did not mean: a literal it missed, or a branch of another type or enum.
  const missed = (i: z.ZodIssue) => i.code === 'invalid_literal' || (i.path.length === here && (i.code === 'invalid_type' || i.code === 'invalid_enum_value'));
  const matched = issue.unionErrors.map((error) => error.issues).filter((issues) => !issues.some(missed));
  return matched.sort((a, b) => a.length - b.length)[0];
}

/**
 * When every branch of a union that has a literal field (such as `type`) missed it, the literals
 * it may take, and what it was: `strategy.type` is one of "canary", "linear", "steps", not "Canary".
 */
export function literalChoices(issue: z.ZodInvalidUnionIssue): { path: (string | number)[]; expected: unknown[]; received: unknown } | undefined {
  const misses = issue.unionErrors.flatMap((error) =>
    error.issues.filter((i): i is Extract<z.ZodIssue, { code: 'invalid_literal' }> => i.code === 'invalid_literal'),
  );
  const first = misses[0];
  if (!first || misses.some((m) => m.path.join('.') !== first.path.join('.'))) return undefined;
  return { path: first.path, expected: [...new Set(misses.map((m) => m.expected))], received: first.received };
}
