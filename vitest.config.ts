/**
 * One dynalite and one s3rver serve the whole run (tests/integration/global-setup.ts); each
 * integration file makes its own table and bucket, so files run in parallel without sharing data.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/integration/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
