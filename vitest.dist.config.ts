import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The whole suite, run once more against the built package instead of src/:
//   npm run build && npx vitest run --config vitest.dist.config.ts
const built = fileURLToPath(new URL('./dist/index.js', import.meta.url));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    alias: [
      { find: /^(\.\.\/)+src\/index\.js$/, replacement: built },
      // The examples (and their tests) import the package by name.
      { find: /^scim-group-patch$/, replacement: built },
    ],
  },
});
