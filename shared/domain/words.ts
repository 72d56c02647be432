/**
 * Counts said as people say them: `1 path`, `3 paths`, `0 files`. Every message slipway writes into
 * a record, an answer or a log counts through this, never as `path(s)` or `1 entries`.
 */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
