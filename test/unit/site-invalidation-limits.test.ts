import { describe, expect, it } from 'vitest';
import { CLOUDFRONT_LIMITS, planInvalidation } from '../../shared/domain/site/invalidation-plan.js';
import { manifestSchema } from '../../shared/domain/site/manifest.js';

const empty = { added: [], changed: [], removed: [], unchanged: [] };

describe('Function: planInvalidation', () => {
  it('gives the same paths whatever order the diff lists them in', () => {
    // Prepare
    const paths = ['b/index.html', 'a.css', 'z/y.js', 'index.html'];
    // Act
    const forward = planInvalidation({ ...empty, changed: paths });
    const backward = planInvalidation({ ...empty, changed: [...paths].reverse() });
    // Assess
    expect(backward).toEqual(forward);
    expect(forward.paths).toEqual([...forward.paths].sort());
  });

  it('invalidates the directory path of a removed index page, so the CDN stops serving it', () => {
    // Prepare
    const diff = { ...empty, removed: ['blog/index.html'] };
    // Act
    const plan = planInvalidation(diff);
    // Assess
    expect(plan).toEqual({ paths: ['/blog/', '/blog/index.html'], wildcards: 0 });
  });

  it('drops the paths a collapsed directory covers, its index path included', () => {
    // Prepare
    const changed = [...Array.from({ length: 101 }, (_, i) => `docs/p${i}.html`), 'docs/index.html', 'about.html'];
    // Act
    const plan = planInvalidation({ ...empty, changed });
    // Assess
    expect(plan).toEqual({ paths: ['/about.html', '/docs/*'], wildcards: 1 });
  });

  it('fits exactly at the file-path limit, counting an index page and its directory as two paths', () => {
    // Prepare
    const pages = (n: number) => Array.from({ length: n }, (_, i) => `p${i}/index.html`);
    // Act
    const atLimit = planInvalidation({ ...empty, changed: pages(CLOUDFRONT_LIMITS.filePaths / 2) });
    const overLimit = planInvalidation({ ...empty, changed: pages(CLOUDFRONT_LIMITS.filePaths / 2 + 1) });
    // Assess
    expect(atLimit.paths).toHaveLength(CLOUDFRONT_LIMITS.filePaths);
    expect(atLimit.wildcards).toBe(0);
    expect(overLimit).toEqual({ paths: ['/*'], wildcards: 1 });
  });

  it('honours tighter limits and a lower collapse threshold from the options', () => {
    // Prepare
    const changed = ['a/1.js', 'a/2.js', 'a/3.js', 'b/1.js', 'b/2.js', 'b/3.js'];
    // Act
    const collapsed = planInvalidation({ ...empty, changed }, { collapseAbove: 2 });
    const tooManyWildcards = planInvalidation({ ...empty, changed }, { collapseAbove: 2, maxWildcards: 1 });
    const tooManyFiles = planInvalidation({ ...empty, changed }, { maxFilePaths: 5 });
    // Assess
    expect(collapsed).toEqual({ paths: ['/a/*', '/b/*'], wildcards: 2 });
    expect(tooManyWildcards).toEqual({ paths: ['/*'], wildcards: 1 });
    expect(tooManyFiles).toEqual({ paths: ['/*'], wildcards: 1 });
  });

  it('never collapses the root directory file by file: many changed root files stay explicit', () => {
    // Prepare
    const changed = Array.from({ length: 500 }, (_, i) => `page${i}.html`);
    // Act
    const plan = planInvalidation({ ...empty, changed });
    // Assess
    expect(plan.wildcards).toBe(0);
    expect(plan.paths).toHaveLength(500);
  });
});

describe('Schema: manifestSchema', () => {
  const file = { sha256: 'a'.repeat(64), size: 3, contentType: 'text/html; charset=utf-8', cacheControl: 'public, max-age=0, must-revalidate' };

  it('parses a manifest as the stager writes it', () => {
    // Prepare
    const raw = { release: 'r2', createdAt: '2026-01-01T00:00:00.000Z', files: { 'index.html': file } };
    // Act
    const manifest = manifestSchema.parse(JSON.parse(JSON.stringify(raw)));
    // Assess
    expect(manifest.files['index.html']).toEqual(file);
  });

  it('keeps a file stored under the key "__proto__" instead of dropping it', () => {
    // Prepare
    const raw = JSON.parse(
      `{"release":"r2","createdAt":"2026-01-01T00:00:00.000Z","files":{"__proto__":${JSON.stringify(file)},"a.html":${JSON.stringify(file)}}}`,
    );
    // Act
    const manifest = manifestSchema.parse(raw);
    // Assess
    expect(Object.keys(manifest.files).sort()).toEqual(['__proto__', 'a.html']);
    expect(Object.getOwnPropertyDescriptor(manifest.files, '__proto__')?.value).toEqual(file);
    expect(Object.getPrototypeOf(manifest.files)).toBe(Object.prototype);
  });

  it('names the path of an invalid file in the error', () => {
    // Prepare
    const raw = { release: 'r2', createdAt: '2026-01-01T00:00:00.000Z', files: { 'a.html': file, 'b.html': { ...file, size: -1 } } };
    // Act
    const result = manifestSchema.safeParse(raw);
    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['files', 'b.html', 'size']]);
  });

  it.each([
    ['an unknown field on a file', { 'index.html': { ...file, etag: 'x' } }],
    ['an uppercase or short sha256', { 'index.html': { ...file, sha256: 'A'.repeat(64) } }],
    ['a negative size', { 'index.html': { ...file, size: -1 } }],
    ['a list instead of a map of files', [file]],
    ['no files at all', null],
  ])('refuses %s', (_, files) => {
    // Prepare
    const raw = { release: 'r2', createdAt: '2026-01-01T00:00:00.000Z', files };
    // Act
    const result = manifestSchema.safeParse(raw);
    // Assess
    expect(result.success).toBe(false);
  });
});
