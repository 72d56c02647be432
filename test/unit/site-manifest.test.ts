import { describe, expect, it } from 'vitest';
import { callerReference, planInvalidation } from '../../shared/domain/site/invalidation-plan.js';
import { diffManifests, type SiteManifest } from '../../shared/domain/site/manifest.js';

const file = (sha: string) => ({ sha256: sha.repeat(64).slice(0, 64), size: 1, contentType: 'text/html', cacheControl: 'x' });

function manifest(files: Record<string, string>): SiteManifest {
  return { release: 'r', createdAt: '2026-01-01T00:00:00Z', files: Object.fromEntries(Object.entries(files).map(([p, s]) => [p, file(s)])) };
}

describe('Function: diffManifests', () => {
  it('sorts paths into added, changed, removed and unchanged', () => {
    // Prepare
    const before = manifest({ 'index.html': 'a', 'a.css': 'b', 'gone.txt': 'c' });
    const after = manifest({ 'index.html': 'a', 'a.css': 'd', 'new.txt': 'e' });
    // Act
    const diff = diffManifests(before, after);
    // Assess
    expect(diff).toEqual({ added: ['new.txt'], changed: ['a.css'], removed: ['gone.txt'], unchanged: ['index.html'] });
  });

  it('counts a header change as a change and everything as added without a live release', () => {
    const before = manifest({ 'index.html': 'a' });
    const after = { ...manifest({ 'index.html': 'a' }) };
    after.files['index.html'] = { ...after.files['index.html']!, cacheControl: 'no-store' };
    expect(diffManifests(before, after).changed).toEqual(['index.html']);
    expect(diffManifests(undefined, after).added).toEqual(['index.html']);
  });

  it('treats paths named like Object.prototype members as ordinary paths', () => {
    // Prepare
    const first = manifest({ constructor: 'a', toString: 'b', ['__proto__']: 'c', 'index.html': 'd' });
    const next = manifest({ 'index.html': 'd', hasOwnProperty: 'e' });
    // Act
    const fromNothing = diffManifests(undefined, first);
    const afterFirst = diffManifests(first, next);
    // Assess
    expect(fromNothing).toEqual({ added: ['__proto__', 'constructor', 'index.html', 'toString'], changed: [], removed: [], unchanged: [] });
    expect(afterFirst).toEqual({ added: ['hasOwnProperty'], changed: [], removed: ['__proto__', 'constructor', 'toString'], unchanged: ['index.html'] });
  });
});

describe('Function: planInvalidation', () => {
  const empty = { added: [], changed: [], removed: [], unchanged: [] };

  it('invalidates only the changed file of a 5,000-file site', () => {
    // Prepare
    const unchanged = Array.from({ length: 4999 }, (_, i) => `assets/f${i}.js`);
    // Act
    const plan = planInvalidation({ ...empty, changed: ['about/team.html'], unchanged });
    // Assess
    expect(plan).toEqual({ paths: ['/about/team.html'], wildcards: 0 });
  });

  it('adds the directory path and the root for index pages, and URL-encodes names', () => {
    const plan = planInvalidation({ ...empty, changed: ['index.html', 'blog/index.html'], added: ['docs/a b/ü.html'] });
    expect(plan.paths).toEqual(['/', '/blog/', '/blog/index.html', '/docs/a%20b/%C3%BC.html', '/index.html']);
  });

  it.each([
    ['logo@2x.png', '/logo@2x.png'],
    ['a+b.css', '/a+b.css'],
    ["x:y;z=1&w$,!'().txt", "/x:y;z=1&w$,!'().txt"],
    ['~draft.html', '/%7Edraft.html'],
    ['star*.js', '/star%2A.js'],
    ['what?.html', '/what%3F.html'],
    ['a b.html', '/a%20b.html'],
    ['über/ü.html', '/%C3%BCber/%C3%BC.html'],
    ['100%.html', '/100%25.html'],
    ['#"<>{}|^[]`.txt', '/%23%22%3C%3E%7B%7D%7C%5E%5B%5D%60.txt'],
    ['a\\b.txt', '/a%5Cb.txt'],
    ['😀.png', '/%F0%9F%98%80.png'],
  ])('encodes %s the way CloudFront matches it: %s', (name, path) => {
    // Act
    const plan = planInvalidation({ ...empty, changed: [name] });
    // Assess
    expect(plan.paths).toEqual([path]);
  });

  it('keeps the wildcard of a collapsed directory raw while encoding the directory name', () => {
    // Prepare
    const changed = Array.from({ length: 3 }, (_, i) => `img*~/f${i}.png`);
    // Act
    const plan = planInvalidation({ ...empty, changed }, { collapseAbove: 2 });
    // Assess
    expect(plan).toEqual({ paths: ['/img%2A%7E/*'], wildcards: 1 });
  });

  it('collapses a directory with many changes into one wildcard', () => {
    const changed = Array.from({ length: 150 }, (_, i) => `assets/chunk${i}.js`);
    const plan = planInvalidation({ ...empty, changed: [...changed, 'index.html'] });
    expect(plan).toEqual({ paths: ['/', '/assets/*', '/index.html'], wildcards: 1 });
  });

  it('falls back to /* when even collapsed the paths exceed the limits', () => {
    const changed = Array.from({ length: 3001 }, (_, i) => `d${i}/page.html`);
    expect(planInvalidation({ ...empty, changed })).toEqual({ paths: ['/*'], wildcards: 1 });
    const manyDirs = Array.from({ length: 16 }, (_, d) => Array.from({ length: 101 }, (_, i) => `dir${d}/f${i}.js`)).flat();
    expect(planInvalidation({ ...empty, changed: manyDirs })).toEqual({ paths: ['/*'], wildcards: 1 });
  });

  it('plans nothing when nothing differs', () => {
    expect(planInvalidation({ ...empty, unchanged: ['index.html'] })).toEqual({ paths: [], wildcards: 0 });
  });
});

describe('Function: callerReference', () => {
  it('is the same for the same deployment, phase and attempt', () => {
    expect(callerReference('d-1', 'switch')).toBe(callerReference('d-1', 'switch'));
    expect(callerReference('d-1', 'switch')).not.toBe(callerReference('d-1', 'rollback'));
    expect(callerReference('d'.repeat(200), 'switch').length).toBe(128);
  });
});
