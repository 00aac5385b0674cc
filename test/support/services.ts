// Which real components the container and OCI tests can use: a Docker engine, and the HTTPS registry
// scripts/test-services.sh starts (PC_TEST_REGISTRY, PC_TEST_REGISTRY_CA). Outside CI a missing one skips its tests
// with a loud message; under CI=true it is an error, because CI must run them.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';

export interface Registry {
  /** host:port */
  address: string;
  /** PEM file of the registry's certificate (pass as --ca-cert). */
  caFile: string;
  ca: string;
}

export interface Services {
  docker: boolean;
  registry?: Registry;
}

export const IN_CI = process.env.CI === 'true';

/** What this machine offers right now. */
export async function testServices(): Promise<Services> {
  const docker = (await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false, timeout: 10_000 })).exitCode === 0;
  const address = process.env.PC_TEST_REGISTRY;
  const caFile = process.env.PC_TEST_REGISTRY_CA;
  const registry = address && caFile ? { address, caFile, ca: readFileSync(caFile, 'utf8') } : undefined;
  return { docker, registry };
}

/** Says loudly that `what` is missing; returns true when the tests needing it must be skipped (never under CI). */
export function skipWithout(available: boolean, what: string): boolean {
  if (available) return false;
  const message = `${what} is not available: start it with \`eval "$(scripts/test-services.sh start)"\` (root, installs Debian's docker.io and docker-registry)`;
  if (IN_CI) throw new Error(`CI=true but ${message}`);
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPING TESTS: ${message}\n${'!'.repeat(100)}\n`);
  return true;
}
