import type { TestProject } from 'vitest/node';
import { startAzurite, type RunningAzurite } from '../../src/local/azurite';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
    azuritePort: number;
  }
}

let azurite: RunningAzurite | undefined;

/** One real Azurite table service for the whole run, on a free port, stopped at the end. */
export async function setup(project: TestProject): Promise<void> {
  azurite = await startAzurite();
  project.provide('azuriteConnectionString', azurite.connectionString);
  project.provide('azuritePort', azurite.port);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}
