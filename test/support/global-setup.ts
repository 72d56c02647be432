import type { TestProject } from 'vitest/node';
import { startMotoServer, type MotoServer } from '../../dev/moto-server.js';

let moto: MotoServer | undefined;

/** One moto_server for the whole run; tests use unique resource names instead of resets. */
export async function setup(project: TestProject): Promise<void> {
  moto = await startMotoServer({ projectRoot: process.cwd() });
  project.provide('motoEndpoint', moto.endpoint);
}

export async function teardown(): Promise<void> {
  await moto?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}
