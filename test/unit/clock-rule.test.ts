import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** Where the time comes from the Clock port (use cases: deps.clock) or an argument (domain rules: now). */
const CLOCKED = ['shared/usecases', 'shared/domain'];
/** Reading the system time: `new Date()` with no argument (or none at all), `Date.now`. Parsing (`new Date(value)`) is fine. */
const READS_THE_TIME = [/\bnew\s+Date\s*\(\s*\)/, /\bnew\s+Date\b(?!\s*\()/, /\bDate\s*\.\s*now\b/];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.[cm]?ts$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** `file:line: text` for every line of the clocked sources that reads the system time. */
function timeReads(files: string[]): string[] {
  return files.flatMap((file) =>
    readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .flatMap((line, index) => (READS_THE_TIME.some((pattern) => pattern.test(line)) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
  );
}

describe('One clock', () => {
  it('no use case or domain rule reads the system time: they take deps.clock or a `now` argument', () => {
    // Prepare
    const files = CLOCKED.flatMap(sources);
    // Act
    const reads = timeReads(files);
    // Assess
    expect(files.length).toBeGreaterThan(20);
    expect(reads, 'read the time from deps.clock (a use case) or take `now: Date` (a domain rule) instead').toEqual([]);
  });

  it('tells a read of the time from a parse of a stored one', () => {
    const patterns = (line: string) => READS_THE_TIME.some((pattern) => pattern.test(line));
    expect(['const now = new Date();', 'new Date ( )', 'const at = Date.now() + 5;', 'sleep(Date . now)', 'x = new Date;'].filter(patterns)).toHaveLength(5);
    expect(['new Date(record.requestedAt)', 'new Date(0)', 'Date.parse(value)', 'new Date(now.getTime() + 1000)', 'deps.clock.now()'].filter(patterns)).toEqual(
      [],
    );
  });
});
