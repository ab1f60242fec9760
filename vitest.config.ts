import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// The examples import the package by name, as a user would; tsconfig `paths` maps it to src/.
const source = fileURLToPath(new URL('./src/index.ts', import.meta.url));
const postgresSource = fileURLToPath(new URL('./src/postgres/index.ts', import.meta.url));

export default defineConfig({
  test: {
    alias: [
      { find: /^scim-group-patch$/, replacement: source },
      { find: /^scim-group-patch\/postgres$/, replacement: postgresSource },
    ],
    // No test may depend on the machine's speed: the default 5 s fails on a busy 2-core machine.
    // Work is bounded by counting (test/complexity.test.ts); timeouts only stop a hang.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two projects, so that only a run that includes test/postgres/ starts a PostgreSQL server
    // (vitest runs a project's globalSetup only when that project has test files to run).
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/postgres/**'],
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/postgres/**/*.test.ts'],
          // A real server for the run: test/support/postgres-setup.ts.
          globalSetup: ['./test/support/postgres-setup.ts'],
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // index.ts only re-exports; never.ts is reached only through a bug.
      exclude: ['src/index.ts', 'src/never.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { statements: 95, branches: 95, functions: 95, lines: 95 },
    },
  },
});
