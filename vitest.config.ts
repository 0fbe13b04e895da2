import { defineConfig } from 'vitest/config';

// One test run for the whole workspace. Each package keeps its tests in `test/`,
// next to its fixtures. Packages are imported through their built `dist/`
// (turbo builds them first), exactly as users import them.
export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'bench/test/**/*.test.{ts,mjs}',
      'examples/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
