// Plugin URLs as in piped's `spec.plugins[].url`: https:// is downloaded and oci:// pulled into a cache folder,
// where the file is named after the plugin and made executable (0755), as piped places it in
// `<pluginsDir>/<name>`. Fetched fresh on every run: a URL or tag may now serve other bytes than last time.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SetupError, UsageError } from '../errors.js';
import { httpGet } from './http.js';
import { pullOciPlugin } from './oci.js';
import { credentialsFor, type RegistryCredentials } from './registry-auth.js';

export interface FetchOptions {
  /** The plugin's name: the downloaded file's name, as piped names it. */
  name: string;
  /** PEM file of a CA to trust for https:// and oci:// (`--ca-cert`). */
  caCertFile?: string;
  /** `--registry-auth` for oci://; else the Docker config is consulted. */
  registryAuth?: RegistryCredentials;
  cacheDir?: string;
}

/** Schemes the harness fetches itself (file:// needs no fetching). */
export function isFetchedUrl(target: string): boolean {
  return /^(https|oci):\/\//i.test(target);
}

/** The folder fetched plugins go to: $PLUGIN_CONFORMANCE_CACHE, else $XDG_CACHE_HOME or ~/.cache, /plugin-conformance. */
export function defaultCacheDir(): string {
  if (process.env.PLUGIN_CONFORMANCE_CACHE) return process.env.PLUGIN_CONFORMANCE_CACHE;
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'plugin-conformance');
}

/** Fetches the plugin at `url` (https:// or oci://) and returns the executable's path. */
export async function fetchPlugin(url: string, options: FetchOptions): Promise<string> {
  const ca = options.caCertFile ? readCaCert(options.caCertFile) : undefined;
  const bytes = url.toLowerCase().startsWith('oci://') ? await pullOci(url, options, ca) : await download(url, ca);
  if (bytes.length === 0) throw new SetupError(`${url}: the plugin is an empty file; piped could not run it.`);
  return placeExecutable(bytes, url, options);
}

async function pullOci(url: string, options: FetchOptions, ca: string | undefined): Promise<Buffer> {
  const registry = safeHost(url);
  const lookup = credentialsFor(registry, options.registryAuth);
  return pullOciPlugin(url, { ca, credentials: lookup.credentials, credentialNotes: lookup.notes });
}

/** GET as piped does: any status but 200 is an error. */
async function download(url: string, ca: string | undefined): Promise<Buffer> {
  let response;
  try {
    response = await httpGet(url, { ca, headers: { 'User-Agent': 'plugin-conformance' } });
  } catch (error) {
    throw new SetupError(`cannot download the plugin: ${(error as Error).message}`);
  }
  if (response.status !== 200) {
    const redirected = response.url !== url ? ` (redirected to ${response.url})` : '';
    throw new SetupError(`cannot download the plugin: HTTP ${response.status} for GET ${url}${redirected}; piped requires 200. Check the URL.`);
  }
  return response.body;
}

/** Writes `<cache>/plugins/<hash of url>/<name>` atomically with mode 0755: a folder holding nothing else (PROC-003). */
function placeExecutable(bytes: Buffer, url: string, options: FetchOptions): string {
  const folder = path.join(options.cacheDir ?? defaultCacheDir(), 'plugins', createHash('sha256').update(url).digest('hex').slice(0, 16));
  const file = path.join(folder, options.name);
  const partial = `${file}.download-${process.pid}`;
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(partial, bytes);
    chmodSync(partial, 0o755);
    renameSync(partial, file);
  } catch (error) {
    throw new SetupError(`cannot store the downloaded plugin at ${file}: ${(error as Error).message}. Set PLUGIN_CONFORMANCE_CACHE to a writable folder.`);
  }
  return file;
}

function readCaCert(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--ca-cert ${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? error}).`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca-cert ${file}: not a PEM certificate (no "-----BEGIN CERTIFICATE-----" line).`);
  return text;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    throw new SetupError(`${url}: not a valid URL. Expected oci://host[:port]/repository[:tag|@sha256:digest].`);
  }
}
