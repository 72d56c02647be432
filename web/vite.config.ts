/**
 * The dashboard's build: a static app (index.html + hashed assets) that reads `config.json` at run
 * time, so one build serves dev mode and every AWS stage. `dev/dashboard.ts` builds it with this
 * config when the sources changed; `outDir` is given by the caller.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  // Preact's automatic JSX runtime, without a plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    emptyOutDir: true,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 300,
  },
  logLevel: 'warn',
});
