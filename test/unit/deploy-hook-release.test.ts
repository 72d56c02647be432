import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/domain/errors.js';
import { newestRelease } from '../../shared/usecases/deploy-hooks.js';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));

describe('Function: newestRelease', () => {
  it('picks the release object modified last', () => {
    // Prepare
    const objects = [
      { key: 'releases/shop/r2.zip', lastModified: at(5) },
      { key: 'releases/shop/r10.zip', lastModified: at(9) },
      { key: 'releases/shop/r1.zip', lastModified: at(1) },
    ];
    // Act & Assess
    expect(newestRelease('shop', objects)).toBe('r10');
  });

  it('ignores keys that are not releases of the target: nested, not zips, other targets, bad names', () => {
    // Prepare
    const objects = [
      { key: 'releases/shop/r1.zip', lastModified: at(1) },
      { key: 'releases/shop/nested/r9.zip', lastModified: at(9) },
      { key: 'releases/shop/r8.tar.gz', lastModified: at(8) },
      { key: 'releases/shop-2/r7.zip', lastModified: at(7) },
      { key: 'releases/shop/bad name.zip', lastModified: at(6) },
    ];
    // Act & Assess
    expect(newestRelease('shop', objects)).toBe('r1');
  });

  it('is undefined when the target has no release', () => {
    // Act & Assess
    expect(newestRelease('shop', [{ key: 'releases/other/r1.zip', lastModified: at(1) }])).toBeUndefined();
  });

  it('refuses to guess between two releases uploaded in the same second', () => {
    // Prepare
    const objects = [
      { key: 'releases/shop/a.zip', lastModified: at(3) },
      { key: 'releases/shop/b.zip', lastModified: at(3) },
      { key: 'releases/shop/c.zip', lastModified: at(1) },
    ];
    // Act & Assess
    expect(() => newestRelease('shop', objects)).toThrow(ConflictError);
    expect(() => newestRelease('shop', objects)).toThrow(/same second.*name the release/);
  });
});
