import { describe, expect, it } from 'vitest';
import { ArtifactRejectedError } from '../../shared/domain/errors.js';
import { checkEntry, finishEntryChecks, newEntryCheckState, type ZipEntryRecord } from '../../shared/domain/site/entry-rules.js';

function entry(name: string | Uint8Array, overrides: Partial<ZipEntryRecord> = {}): ZipEntryRecord {
  return {
    nameBytes: typeof name === 'string' ? Buffer.from(name, 'utf8') : name,
    generalPurposeBitFlag: typeof name === 'string' ? 0x0800 : 0,
    externalFileAttributes: (0o100644 << 16) >>> 0,
    versionMadeBy: (3 << 8) | 20,
    compressedSize: 10,
    uncompressedSize: 10,
    ...overrides,
  };
}

function rejection(records: ZipEntryRecord[], limits?: Parameters<typeof checkEntry>[2]): string {
  const state = newEntryCheckState();
  try {
    for (const record of records) checkEntry(record, state, limits);
    finishEntryChecks(state, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactRejectedError);
    return (error as Error).message;
  }
  throw new Error('expected the archive to be rejected');
}

describe('Function: checkEntry', () => {
  it('returns the paths of files and skips directories', () => {
    const state = newEntryCheckState();
    expect(checkEntry(entry('assets/'), state)).toBeUndefined();
    expect(checkEntry(entry('assets/app.js'), state)).toBe('assets/app.js');
    expect(checkEntry(entry('über/ß.html'), state)).toBe('über/ß.html');
    expect(() => finishEntryChecks(state)).not.toThrow();
  });

  it.each([
    ['../etc/passwd', 'climbs out of the release'],
    ['a/../../b', 'climbs out of the release'],
    ['/etc/passwd', 'absolute path'],
    ['C:/windows/x', 'absolute path'],
    ['a\\b.html', 'backslashes'],
    ['a//b.html', 'empty or "." path segment'],
    ['bad\u0001name', 'control character'],
    ['a/.', 'empty or "." path segment'],
    ['.', 'empty or "." path segment'],
    ['bad\u0085name.html', 'C1 control character'],
    ['bad\u009bname.html', 'C1 control character'],
    ['invoice\u202egpj.exe', 'bidirectional'],
    ['a\u202a.html', 'bidirectional'],
    ['a\u2066b\u2069.html', 'bidirectional'],
    ['__proto__', '"__proto__" path segment'],
    ['a/__proto__/b.html', '"__proto__" path segment'],
  ])('rejects %j: %s', (name, why) => {
    expect(rejection([entry(name)])).toContain(why);
  });

  it('shows invisible characters escaped in the message, so it reads as the name it is', () => {
    // Act
    const message = rejection([entry('invoice\u202egpj.exe'), entry('c1\u0085.html')]);
    // Assess
    expect(message).toContain('"invoice\\u202egpj.exe"');
    expect(message).not.toContain('\u202e');
  });

  it('rejects symlinks, encrypted entries and duplicates, naming the entry', () => {
    expect(rejection([entry('link', { externalFileAttributes: (0o120777 << 16) >>> 0 })])).toContain('"link" is a symbolic link');
    expect(rejection([entry('secret.txt', { generalPurposeBitFlag: 0x0801 })])).toContain('"secret.txt" is encrypted');
    expect(rejection([entry('a.html'), entry('a.html')])).toContain('"a.html" appears twice');
  });

  it('rejects names that are not valid UTF-8, and non-ASCII names without the UTF-8 flag', () => {
    expect(rejection([entry(Buffer.from([0x66, 0xff, 0x2e, 0x68]), { generalPurposeBitFlag: 0x0800 })])).toContain('not valid UTF-8');
    expect(rejection([entry(Buffer.from([0x66, 0xe9, 0x2e, 0x68]))])).toContain('without the UTF-8 flag');
  });

  it('enforces the entry, size and ratio limits', () => {
    const limits = { maxEntries: 2, maxUncompressedBytes: 100, maxCompressionRatio: 100 };
    expect(rejection([entry('a'), entry('b'), entry('c')], limits)).toContain('more than 2 entries');
    expect(rejection([entry('a', { uncompressedSize: 60 }), entry('b', { uncompressedSize: 60 })], limits)).toContain('more than 100 bytes');
    expect(rejection([entry('bomb.bin', { compressedSize: 1000, uncompressedSize: 2 * 1024 ** 3 })])).toContain('expands 2147484:1');
  });

  it('rejects an archive with no files', () => {
    expect(rejection([entry('empty-dir/')])).toContain('holds no files');
  });
});
