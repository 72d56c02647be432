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

  it.each([
    // Fingerprinted: a new content gets a new name, so a year is safe.
    ['webpack [name].[contenthash].js', 'static/js/main.3f9a1c2b5d6e7f80.js', IMMUTABLE],
    ['webpack/CRA chunk with a suffix after the hash', 'static/js/vendors~main.0a1b2c3d.chunk.js', IMMUTABLE],
    ['webpack [id].[contenthash] with a hex id', 'assets/js/935f2afb.8c2a3b4d.js', IMMUTABLE],
    ['a source map of a hashed bundle', 'assets/app.3f9a1c2b.js.map', IMMUTABLE],
    ['Angular [name].[hash] (16 hex)', 'polyfills.8c0bd2c8c9d3ac05.js', IMMUTABLE],
    ['Vite / Rollup letters only', 'assets/index-BQxJkLmN.css', IMMUTABLE],
    ['Vite / Rollup hash containing "-"', 'assets/index-C-8dkcjC.js', IMMUTABLE],
    ['Vite / Rollup hash containing "_"', 'assets/index-D_ryMEPs.js', IMMUTABLE],
    ['Vite / Rollup with a kebab-case name', 'assets/inter-latin-400-normal-BOOGhInR.woff2', IMMUTABLE],
    ['Next.js chunk', '_next/static/chunks/pages/_app-1a2b3c4d5e6f7a8b.js', IMMUTABLE],
    ['Next.js chunk with a hex name', '_next/static/chunks/2d1f6d0e-8b7a6c5d4e3f2a1b.js', IMMUTABLE],
    ['Next.js CSS named by its hash', '_next/static/css/4f5e6d7c8b9a0b1c.css', IMMUTABLE],
    ['next/font media', '_next/static/media/c9a5bc6a7c948fb0-s.p.woff2', IMMUTABLE],
    ['Gatsby component chunk', 'component---src-pages-index-js-3f2a1b4c5d6e7f8a9b0c.js', IMMUTABLE],
    ['hashed font (file-loader [name].[hash:8])', 'fonts/KaTeX_Main-Regular.c2342cd8.woff2', IMMUTABLE],
    ['esbuild / Angular 17 base32 hash', 'chunk-2V5QK7ZD.js', IMMUTABLE],
    // Not fingerprinted: when unsure, an hour — a wrong "immutable" cannot be taken back.
    ['plain name', 'img/logo.png', DEFAULT_CACHE],
    ['kebab-case words', 'css/about-company.css', DEFAULT_CACHE],
    ['font with a weight', 'fonts/fa-solid-900.woff2', DEFAULT_CACHE],
    ['date', 'img/photo-20240101.jpg', DEFAULT_CACHE],
    ['ISO date', 'img/photo-2024-01-01.jpg', DEFAULT_CACHE],
    ['camera name', 'img/IMG_20240101_123456.jpg', DEFAULT_CACHE],
    ['timestamp', 'exports/report-1704067200.csv', DEFAULT_CACHE],
    ['dimensions', 'img/logo-1024x1024.png', DEFAULT_CACHE],
    ['dimensions with a capital X', 'img/hero-1920X1080.png', DEFAULT_CACHE],
    ['version', 'js/jquery-3.7.1.min.js', DEFAULT_CACHE],
    ['word and number', 'img/summer2024.jpg', DEFAULT_CACHE],
    ['hex-looking word and number', 'img/menu-cafe2024.jpg', DEFAULT_CACHE],
    ['CamelCase words after a dash', 'img/team-HeaderBG.png', DEFAULT_CACHE],
    ['CamelCase word and number after a dash', 'docs/sales-Q3Report.pdf', DEFAULT_CACHE],
    ['standard name after a dash', 'docs/certificate-ISO27001.pdf', DEFAULT_CACHE],
    ['retina suffix', 'img/my-photo-2x.png', DEFAULT_CACHE],
    ['short hex name alone', 'img/a1b2c3d4.png', DEFAULT_CACHE],
    ['capitals and numbers after a dash', 'img/wallpaper-4K-HDR10.jpg', DEFAULT_CACHE],
    ['hash too regular to tell from a word (a known miss, only cached for an hour)', 'main-FFHMD2TL.js', DEFAULT_CACHE],
    // Entry points are fetched under a fixed name: always revalidated, even when they look hashed.
    ['HTML page with a hash', 'page-3f9a1c2b.html', REVALIDATE],
    ['web app manifest', 'site.webmanifest', REVALIDATE],
    ['web app manifest in a folder', 'icons/site.webmanifest', REVALIDATE],
  ])('%s: caches %s as %s', (_, path, cacheControl) => {
    expect(headersFor([])(path).cacheControl).toBe(cacheControl);
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
