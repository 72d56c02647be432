import { describe, expect, it } from 'vitest';
import { contentTypeOf, DEFAULT_CACHE, headersFor, IMMUTABLE, REVALIDATE } from '../../shared/domain/site/headers.js';

describe('Function: contentTypeOf', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['assets/app.3f9a1c2b.js', 'text/javascript; charset=utf-8'],
    ['style.css', 'text/css; charset=utf-8'],
    ['data.json', 'application/json; charset=utf-8'],
    ['logo.svg', 'image/svg+xml; charset=utf-8'],
    ['photo.webp', 'image/webp'],
    ['font.woff2', 'font/woff2'],
    ['LICENSE', 'application/octet-stream'],
  ])('types %s as %s', (path, type) => {
    expect(contentTypeOf(path)).toBe(type);
  });
});

describe('Function: headersFor', () => {
  it('revalidates entry points, caches fingerprinted assets for good, and others for an hour', () => {
    // Prepare
    const headers = headersFor([]);
    // Act + Assess
    expect(headers('index.html').cacheControl).toBe(REVALIDATE);
    expect(headers('docs/getting-started.html').cacheControl).toBe(REVALIDATE);
    expect(headers('sw.js').cacheControl).toBe(REVALIDATE);
    expect(headers('robots.txt').cacheControl).toBe(REVALIDATE);
    expect(headers('assets/app.3f9a1c2b.js').cacheControl).toBe(IMMUTABLE);
    expect(headers('assets/main-BQ7x9kLm.css').cacheControl).toBe(IMMUTABLE);
    expect(headers('css/about-company.css').cacheControl).toBe(DEFAULT_CACHE);
    expect(headers('img/logo.png').cacheControl).toBe(DEFAULT_CACHE);
  });

  it('applies the first matching rule before the defaults', () => {
    // Prepare
    const headers = headersFor([
      { match: 'img/**', value: 'public, max-age=86400' },
      { match: '**/*.png', value: 'no-store' },
      { match: '*.html', value: 'public, max-age=60' },
    ]);
    // Act + Assess
    expect(headers('img/logo.png').cacheControl).toBe('public, max-age=86400');
    expect(headers('other/logo.png').cacheControl).toBe('no-store');
    expect(headers('index.html').cacheControl).toBe('public, max-age=60');
    expect(headers('blog/index.html').cacheControl).toBe(REVALIDATE);
  });
});
