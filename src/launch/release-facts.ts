// The release facts the CLI gathers before the suites run (--release): an oci:// target's image index and manifests,
// read with the same CA and credentials as the pull (the suites' worker never sees credentials).
import { readFileSync } from 'node:fs';
import type { ReleaseSpec } from '../run-spec.js';
import { readOciIndex } from './oci.js';
import { credentialsFor, type RegistryCredentials } from './registry-auth.js';

export interface ReleaseRequest {
  /** The positional plugin argument. */
  target?: string;
  expectVersion?: string;
  caCertFile?: string;
  registryAuth?: RegistryCredentials;
}

/** The release spec for the suites: the expected version, and for an oci:// target its index (or why it is unreadable). */
export async function releaseSpecOf(request: ReleaseRequest): Promise<ReleaseSpec> {
  const expect = request.expectVersion === undefined ? {} : { expectVersion: request.expectVersion };
  const url = request.target;
  if (!url || !/^oci:\/\//i.test(url)) return expect;
  try {
    const registry = new URL(url).host;
    const lookup = credentialsFor(registry, request.registryAuth);
    const ca = request.caCertFile ? readFileSync(request.caCertFile, 'utf8') : undefined;
    return { ...expect, oci: await readOciIndex(url, { ca, credentials: lookup.credentials, credentialNotes: lookup.notes }) };
  } catch (error) {
    return { ...expect, oci: { url, error: (error as Error).message } };
  }
}
