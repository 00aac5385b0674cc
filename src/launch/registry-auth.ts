// Registry credentials for oci:// targets: `--registry-auth user:pass`, else the Docker client's config
// (`$DOCKER_CONFIG/config.json` or ~/.docker/config.json, `auths` entries), else anonymous.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';

export interface RegistryCredentials {
  username: string;
  password: string;
  /** Where they came from, for messages (never the secret itself). */
  source: string;
}

/** What was looked at, so a 401 message can say why no credentials were sent. */
export interface CredentialLookup {
  credentials?: RegistryCredentials;
  notes: string[];
}

/** Parses `--registry-auth user:pass` (the password may contain colons). */
export function parseRegistryAuth(text: string): RegistryCredentials {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new UsageError('--registry-auth takes user:password (e.g. --registry-auth ci-bot:$REGISTRY_TOKEN)');
  return { username: text.slice(0, colon), password: text.slice(colon + 1), source: '--registry-auth' };
}

/** Credentials for `registry` (host[:port]): the explicit ones, else the Docker config's `auths` entry. */
export function credentialsFor(registry: string, explicit?: RegistryCredentials, configFile = dockerConfigFile()): CredentialLookup {
  if (explicit) return { credentials: explicit, notes: [] };
  let config: DockerConfig;
  try {
    config = JSON.parse(readFileSync(configFile, 'utf8')) as DockerConfig;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { notes: [code === 'ENOENT' ? `no Docker config at ${configFile}` : `cannot read ${configFile}: ${(error as Error).message}`] };
  }
  const entry = Object.entries(config.auths ?? {}).find(([key]) => registryOf(key) === registry)?.[1];
  const fromEntry = entry && decodeEntry(entry, `${configFile} auths`);
  if (fromEntry) return { credentials: fromEntry, notes: [] };
  const helper = config.credHelpers?.[registry] ?? config.credsStore;
  const notes = [`no auths entry for ${registry} in ${configFile}`];
  if (helper) notes.push(`credential helpers (docker-credential-${helper}) are not supported; pass --registry-auth`);
  return { notes };
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

function dockerConfigFile(): string {
  return path.join(process.env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker'), 'config.json');
}

/** `auths` keys may be `host`, `https://host` or `https://host/v1/`. */
function registryOf(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}

function decodeEntry(entry: { auth?: string; username?: string; password?: string }, source: string): RegistryCredentials | undefined {
  if (entry.username && entry.password !== undefined) return { username: entry.username, password: entry.password, source };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source } : undefined;
}
