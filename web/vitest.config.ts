import { defineConfig } from 'vitest/config';

// Unit tests of the front-end logic (no browser): src/**/*.test.ts and the build scripts'.
// The browser tests (e2e/) run against a real server through scripts/test.sh.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.mjs'],
    environment: 'node',
  },
});
