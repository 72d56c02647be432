/**
 * The dashboard in dev mode: the static build of web/ (Vite), made when its sources changed, and a
 * small HTTP server that serves it with `config.json` and passes `/api/*` to the local API, so the
 * page and the API share one origin (no CORS, no sign-in).
 *
 * Builds are kept by the hash of their inputs under node_modules/.cache/slipway-dashboard/<hash>/:
 * a fresh clone builds once at its first `npm start` (about 2 s), later starts reuse it, and two
 * dev processes starting at once never see a half-written build (each builds into a folder of its
 * own and renames it into place).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** What the build reads besides web/: the versions of the libraries it bundles. */
const BUNDLED_PACKAGES = ['preact', 'uplot', 'vite'];

function listFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(path, out);
    else out.push(path);
  }
  return out;
}

/** The hash of everything a build depends on: web/'s files and the bundled packages' versions. */
export function dashboardSourceHash(projectRoot: string): string {
  const hash = createHash('sha256');
  const webDir = join(projectRoot, 'web');
  for (const file of listFiles(webDir)) {
    hash.update(file.slice(webDir.length));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  for (const name of BUNDLED_PACKAGES) {
    const manifest = join(projectRoot, 'node_modules', name, 'package.json');
    hash.update(`${name}@${existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : 'missing'}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Builds web/ when no build of its current sources exists; resolves to the folder to serve. */
export async function ensureDashboardBuild(options: { projectRoot: string; log?: (line: string) => void }): Promise<string> {
  const cache = join(options.projectRoot, 'node_modules', '.cache', 'slipway-dashboard');
  const hash = dashboardSourceHash(options.projectRoot);
  const dir = join(cache, hash);
  if (existsSync(join(dir, 'index.html'))) return dir;
  const started = Date.now();
  const tmp = join(cache, `.build-${hash}-${process.pid}-${started}`);
  mkdirSync(cache, { recursive: true });
  const { build } = await import('vite');
  await build({ configFile: join(options.projectRoot, 'web', 'vite.config.ts'), build: { outDir: tmp, emptyOutDir: true }, logLevel: 'error' });
  try {
    renameSync(tmp, dir);
  } catch (error) {
    // Another process put the same build there first: keep that one.
    if (!existsSync(join(dir, 'index.html'))) throw error;
    rmSync(tmp, { recursive: true, force: true });
  }
  // Older builds of other sources go, so the cache holds the current one only.
  for (const old of readdirSync(cache)) if (old !== hash && !old.startsWith('.build-')) rmSync(join(cache, old), { recursive: true, force: true });
  options.log?.(`slipway dev: built the dashboard in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg']);

export interface DashboardServer {
  url: string;
  close(): Promise<void>;
}

/** The part of the URL under which the dashboard server passes requests to the API. */
export const API_PREFIX = '/api';

function proxy(req: IncomingMessage, res: ServerResponse, apiUrl: string): void {
  const target = new URL(apiUrl);
  const path = (req.url ?? '/').slice(API_PREFIX.length) || '/';
  const headers = { ...req.headers, host: target.host };
  const upstream = httpRequest({ hostname: target.hostname, port: target.port, path, method: req.method, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ status: 502, title: 'The local API did not answer', detail: error.message }));
  });
  req.pipe(upstream);
}

/**
 * Serves the build in `distDir`, `config.json` (`{ apiUrl: "api" }`: the page calls the API through
 * this server) and `/api/*` passed to `apiUrl`. Text files go gzip-compressed to a client that
 * accepts it, as CloudFront serves the site in AWS.
 */
export function startDashboardServer(options: { port: number; distDir: string; apiUrl: string; host?: string }): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const cache = new Map<string, { body: Buffer; gzip: Buffer | undefined }>();
  const read = (file: string) => {
    let entry = cache.get(file);
    if (!entry) {
      const body = readFileSync(file);
      entry = { body, gzip: COMPRESSIBLE.has(extname(file)) ? gzipSync(body) : undefined };
      cache.set(file, entry);
    }
    return entry;
  };
  const config = Buffer.from(JSON.stringify({ apiUrl: API_PREFIX.slice(1) }));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`)) return proxy(req, res, options.apiUrl);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      return res.end();
    }
    if (url.pathname === '/config.json') {
      res.writeHead(200, { 'content-type': CONTENT_TYPES['.json'] ?? '', 'cache-control': 'no-cache', 'content-length': String(config.length) });
      return res.end(req.method === 'HEAD' ? undefined : config);
    }
    const relative = normalize(decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)).replace(/^[/\\]+/, '');
    const file = join(options.distDir, relative);
    if (!file.startsWith(options.distDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end(`no such file: ${url.pathname}\n`);
    }
    const { body, gzip } = read(file);
    const compressed = gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const sent = compressed ? gzip : body;
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      // Vite names every asset by its content; index.html must be asked again.
      'cache-control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-length': String(sent.length),
      vary: 'accept-encoding',
      ...(compressed ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : sent);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
