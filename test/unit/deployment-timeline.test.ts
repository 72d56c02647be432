import { describe, expect, it } from 'vitest';
import {
  boundEntry,
  boundTimeline,
  TIMELINE_COMPACTED_ENTRIES,
  TIMELINE_ENTRY_MAX_BYTES,
  TIMELINE_KEEP_FIRST,
  TIMELINE_MAX_ENTRIES,
  truncateUtf8,
  type TimelineEntry,
} from '../../shared/domain/deployment.js';
import { dynamoItemBytes } from '../support/dynamo-item-size.js';

function entries(count: number, from = 0): TimelineEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, from + i)).toISOString(),
    step: 'lock',
    message: `tick ${from + i}`,
  }));
}

describe('Function: boundTimeline', () => {
  it('leaves a timeline within the cap as it is', () => {
    const timeline = entries(TIMELINE_MAX_ENTRIES);
    expect(boundTimeline(timeline)).toEqual(timeline);
  });

  it('keeps the first entries and the newest, with a marker counting what it left out', () => {
    // Act
    const bounded = boundTimeline(entries(TIMELINE_MAX_ENTRIES + 1));
    // Assess
    expect(bounded).toHaveLength(TIMELINE_COMPACTED_ENTRIES);
    expect(bounded.slice(0, TIMELINE_KEEP_FIRST).map((e) => e.message)).toEqual(entries(TIMELINE_KEEP_FIRST).map((e) => e.message));
    const marker = bounded[TIMELINE_KEEP_FIRST];
    expect(marker).toMatchObject({ step: 'timeline', dropped: TIMELINE_MAX_ENTRIES + 1 - TIMELINE_COMPACTED_ENTRIES + 1 });
    expect(marker?.message).toContain(`${marker?.dropped} timeline entries left out`);
    expect(bounded.at(-1)?.message).toBe(`tick ${TIMELINE_MAX_ENTRIES}`);
  });

  it('adds up what earlier compactions left out, so the marker counts every entry dropped', () => {
    // Prepare: 10,000 appends, compacted whenever the cap is passed, as the store does
    let timeline: TimelineEntry[] = [];
    for (let i = 0; i < 10_000; i += 1) timeline = boundTimeline([...timeline, ...entries(1, i)]);
    // Assess
    const marker = timeline.find((e) => e.step === 'timeline');
    const kept = timeline.filter((e) => e.step !== 'timeline').length;
    expect(timeline.length).toBeLessThanOrEqual(TIMELINE_MAX_ENTRIES);
    expect((marker?.dropped ?? 0) + kept).toBe(10_000);
    expect(timeline.filter((e) => e.step === 'timeline')).toHaveLength(1);
    expect(timeline.at(-1)?.message).toBe('tick 9999');
  });
});

describe('Function: boundEntry', () => {
  it('shortens the longest text of an entry until it fits, on a code point boundary', () => {
    // Prepare
    const entry = { at: '2026-01-01T00:00:00.000Z', step: 'rollback', message: 'short', error: '😀'.repeat(5_000) };
    // Act
    const bounded = boundEntry(entry);
    // Assess
    expect(dynamoItemBytes(bounded)).toBeLessThanOrEqual(TIMELINE_ENTRY_MAX_BYTES + 8);
    expect(bounded.message).toBe('short');
    expect(bounded.error?.endsWith('…')).toBe(true);
    expect(bounded.error).not.toContain('\uFFFD');
    expect([...(bounded.error ?? '')].slice(0, -1).every((c) => c === '😀')).toBe(true);
  });

  it('leaves an entry that fits unchanged', () => {
    const entry = { step: 'shift', message: '10% of traffic on version 2', trafficPercent: 10 };
    expect(boundEntry(entry)).toEqual(entry);
    expect(truncateUtf8('abc', 3)).toBe('abc');
  });

  it('keeps a full timeline of the largest entries far below 400 KB', () => {
    const big = boundEntry({
      at: '2026-01-01T00:00:00.000Z',
      step: 'verify',
      message: 'm'.repeat(900),
      error: 'e'.repeat(900),
      reason: 'r'.repeat(900),
      requestedBy: 'b'.repeat(900),
    });
    expect(dynamoItemBytes({ timeline: Array.from({ length: TIMELINE_MAX_ENTRIES }, () => big) })).toBeLessThan(250_000);
  });
});
