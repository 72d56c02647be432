import { defineConfig } from 'vitest/config';

const withMoto = {
  globalSetup: ['test/support/global-setup.ts'],
  // Handlers log warnings on every expected failure; keep test output readable.
  env: { POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_DEV: 'false' },
};

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // The dashboard's view logic and components (web/), JSX through Preact's automatic runtime as web/vite.config.ts builds it.
      { oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } }, test: { name: 'web', include: ['test/web/**/*.test.{ts,tsx}'] } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], ...withMoto, testTimeout: 30_000 } },
      { test: { name: 'workflow', include: ['test/workflow/**/*.test.ts'], ...withMoto, testTimeout: 60_000 } },
      // The packaged bundles (serverless package, cached per change of the sources) driven by the real definition.
      { test: { name: 'shipped', include: ['test/shipped/**/*.test.ts'], ...withMoto, testTimeout: 120_000, hookTimeout: 300_000 } },
      { test: { name: 'package', include: ['test/package/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
    ],
  },
});
