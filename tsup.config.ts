import { defineConfig } from 'tsup';

export default defineConfig({
  // `scim-group-patch/postgres` imports the main entry by the package's name, kept external, so
  // that both entries share one ScimError class (in CommonJS too) rather than each bundling one.
  entry: { index: 'src/index.ts', postgres: 'src/postgres/index.ts' },
  external: ['scim-group-patch'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: false,
  clean: true,
  target: 'es2022',
  treeshake: true,
});
