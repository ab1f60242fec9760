import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The examples import the package by name, as a user would; tsconfig `paths` maps it to src/.
const source = fileURLToPath(new URL('./src/index.ts', import.meta.url));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    alias: [{ find: /^scim-group-patch$/, replacement: source }],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
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
