import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The whole suite, run once more against the built package instead of src/:
//   npm run build && npx vitest run --config vitest.dist.config.ts
const built = fileURLToPath(new URL('./dist/index.js', import.meta.url));
const builtPostgres = fileURLToPath(new URL('./dist/postgres.js', import.meta.url));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // No test may depend on the machine's speed: the default 5 s fails on a busy 2-core machine.
    // Work is bounded by counting (test/complexity.test.ts); timeouts only stop a hang.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The real PostgreSQL server of test/postgres/ (the whole suite runs here, so no projects).
    globalSetup: ['./test/support/postgres-setup.ts'],
    alias: [
      { find: /^(\.\.\/)+src\/index\.js$/, replacement: built },
      { find: /^(\.\.\/)+src\/postgres\/index\.js$/, replacement: builtPostgres },
      // The examples (and their tests) import the package by name.
      { find: /^scim-group-patch$/, replacement: built },
      { find: /^scim-group-patch\/postgres$/, replacement: builtPostgres },
    ],
  },
});
