import { describe, expect, it } from 'vitest';
import { ArtifactRejectedError } from '../../shared/domain/errors.js';
import { checkEntry, DEFAULT_SITE_LIMITS, finishEntryChecks, newEntryCheckState, type ZipEntryRecord } from '../../shared/domain/site/entry-rules.js';

const MiB = 1024 * 1024;

function entry(name: string, overrides: Partial<ZipEntryRecord> = {}): ZipEntryRecord {
  return {
    nameBytes: Buffer.from(name, 'utf8'),
    generalPurposeBitFlag: 0x0800,
    externalFileAttributes: (0o100644 << 16) >>> 0,
    versionMadeBy: (3 << 8) | 20,
    compressedSize: 10,
    uncompressedSize: 10,
    ...overrides,
  };
}

/** Runs `act` once: checkEntry adds to the running state, so calling it twice would test something else. */
function thrownBy(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('Function: checkEntry (called entry by entry by a streaming reader)', () => {
  it('carries the running totals from one call to the next', () => {
    // Prepare
    const state = newEntryCheckState();
    // Act
    checkEntry(entry('assets/'), state);
    checkEntry(entry('index.html', { compressedSize: 40, uncompressedSize: 100 }), state);
    checkEntry(entry('assets/app.js', { compressedSize: 60, uncompressedSize: 300 }), state);
    // Assess
    expect(state.entries).toBe(3);
    expect(state.uncompressedBytes).toBe(400);
    expect(state.compressedBytes).toBe(100);
    expect([...state.seen]).toEqual(['index.html', 'assets/app.js']);
  });

  it('stops at the entry that crosses the size limit, naming the limit', () => {
    // Prepare
    const state = newEntryCheckState();
    const limits = { ...DEFAULT_SITE_LIMITS, maxUncompressedBytes: 1000 };
    checkEntry(entry('a.bin', { uncompressedSize: 1000, compressedSize: 1000 }), state, limits);
    // Act
    const error = thrownBy(() => checkEntry(entry('b.bin', { uncompressedSize: 1, compressedSize: 1 }), state, limits));
    // Assess
    expect(error).toBeInstanceOf(ArtifactRejectedError);
    expect(error.message).toMatch(/more than 1000 bytes/);
  });

  it('accepts a small file that compresses far past the ratio, since it cannot be a bomb', () => {
    // Prepare
    const state = newEntryCheckState();
    // Act
    const path = checkEntry(entry('blank.txt', { compressedSize: 1, uncompressedSize: MiB }), state);
    // Assess
    expect(path).toBe('blank.txt');
    expect(() => finishEntryChecks(state)).not.toThrow();
  });

  it('rejects an archive of many small entries that together expand past the ratio', () => {
    // Prepare
    const state = newEntryCheckState();
    for (let i = 0; i < 4; i++) checkEntry(entry(`part${i}.txt`, { compressedSize: 1, uncompressedSize: MiB }), state);
    // Act
    const finish = () => finishEntryChecks(state);
    // Assess
    expect(finish).toThrow(ArtifactRejectedError);
    expect(finish).toThrow(/overall, past the 100:1 limit/);
  });

  it('rejects an entry with a NUL in its name and a Windows drive path, naming the entry', () => {
    // Prepare
    const state = newEntryCheckState();
    // Act
    const nul = () => checkEntry(entry('index.html\u0000.js'), state);
    const drive = () => checkEntry(entry('C:\\evil.html'), state);
    // Assess
    expect(nul).toThrow(/"index.html\\u0000.js" has a control character/);
    expect(drive).toThrow(/"C:\\\\evil.html"/);
  });

  it('does not read a symlink mode out of attributes written by a non-Unix zip tool', () => {
    // Prepare
    const state = newEntryCheckState();
    const madeOnDos = entry('page.html', { versionMadeBy: 20, externalFileAttributes: (0o120777 << 16) >>> 0 });
    // Act
    const path = checkEntry(madeOnDos, state);
    // Assess
    expect(path).toBe('page.html');
  });

  it('treats a name repeated with a trailing directory slash as a directory, not a duplicate', () => {
    // Prepare
    const state = newEntryCheckState();
    checkEntry(entry('docs/'), state);
    // Act
    const again = checkEntry(entry('docs/'), state);
    // Assess
    expect(again).toBeUndefined();
  });

  it('keeps paths that differ only in case apart (S3 keys are case-sensitive)', () => {
    // Prepare
    const state = newEntryCheckState();
    checkEntry(entry('Readme.txt'), state);
    // Act
    const other = checkEntry(entry('README.txt'), state);
    // Assess
    expect(other).toBe('README.txt');
  });
});
