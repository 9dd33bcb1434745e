/**
 * Starts one in-memory dynalite and one s3rver (temporary folder) on free loopback ports for the
 * whole test run and hands their endpoints to the tests through `inject`; stops them at teardown.
 */
import type { TestProject } from 'vitest/node';
import { startLocalServers } from '#local/servers';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
  }
}

/** Vitest's global setup hook: returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers = await startLocalServers();
  project.provide('dynamoEndpoint', servers.dynamoEndpoint);
  project.provide('s3Endpoint', servers.s3Endpoint);
  return () => servers.close();
}
