// Pulls a plugin binary from an OCI registry the way piped does (pkg/lifecycle/binary.go → pkg/oci/pull.go):
// resolve `oci://host[:port]/repo[:tag|@digest]` (tag defaults to latest); an image index picks the manifest whose
// platform equals piped's own GOOS/GOARCH; the manifest's layer of media type application/vnd.pipecd.piped.plugin
// is the executable. Every manifest and blob is checked against its digest. Errors say what was asked and what
// the registry offered.
import { createHash } from 'node:crypto';
import { SetupError } from '../errors.js';
import { HttpFailure, httpGet, type HttpResponse } from './http.js';
import type { RegistryCredentials } from './registry-auth.js';

/** The layer media type `pipectl plugin push` writes and piped pulls. */
export const PLUGIN_MEDIA_TYPE = 'application/vnd.pipecd.piped.plugin';

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

const ACCEPT = [MEDIA.index, MEDIA.manifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export interface OciReference {
  /** host[:port] */
  registry: string;
  repository: string;
  /** A tag, or a digest (`sha256:…`). */
  reference: string;
}

export interface Platform {
  os: string;
  architecture: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
}

export interface OciPullOptions {
  /** PEM CA certificates trusted for the registry (`--ca-cert`). */
  ca?: string;
  credentials?: RegistryCredentials;
  /** Why no credentials were found, shown when the registry asks for some. */
  credentialNotes?: string[];
  /** Defaults to this machine's GOOS/GOARCH, as piped uses its own. */
  platform?: Platform;
}

/** Splits an oci:// URL as piped's parseOCIURL does: `@` starts a digest, else `:` a tag, else `latest`. */
export function parseOciUrl(url: string): OciReference {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SetupError(`${url}: not a valid URL. Expected oci://host[:port]/repository[:tag|@sha256:digest].`);
  }
  const fail = (why: string) => new SetupError(`${url}: ${why}. Expected oci://host[:port]/repository[:tag|@sha256:digest].`);
  if (parsed.protocol !== 'oci:') throw fail('not an oci:// URL');
  if (!parsed.host) throw fail('no registry host');
  const pathPart = decodeURIComponent(parsed.pathname).replace(/^\//, '');
  if (!pathPart) throw fail('no repository');
  const at = pathPart.indexOf('@');
  if (at >= 0) {
    const digest = pathPart.slice(at + 1);
    if (!DIGEST.test(digest)) throw fail(`"${digest}" is not a sha256 digest (sha256: and 64 hex digits)`);
    return { registry: parsed.host, repository: pathPart.slice(0, at).split(':')[0], reference: digest };
  }
  const colon = pathPart.indexOf(':');
  if (colon >= 0) return { registry: parsed.host, repository: pathPart.slice(0, colon), reference: pathPart.slice(colon + 1) || 'latest' };
  return { registry: parsed.host, repository: pathPart, reference: 'latest' };
}

/** This machine as Go names it (runtime.GOOS/GOARCH), which is what piped matches against. */
export function goPlatform(platform: string = process.platform, arch: string = process.arch): Platform {
  const os = ({ win32: 'windows', sunos: 'solaris' } as Record<string, string>)[platform] ?? platform;
  const architecture = ({ x64: 'amd64', ia32: '386', x32: '386', ppc64: 'ppc64le' } as Record<string, string>)[arch] ?? arch;
  return { os, architecture };
}

/** Downloads the plugin executable for this platform; throws SetupError naming what was tried. */
export async function pullOciPlugin(url: string, options: OciPullOptions = {}): Promise<Buffer> {
  const ref = parseOciUrl(url);
  const platform = options.platform ?? goPlatform();
  const registry = new RegistryClient(ref, url, options);
  let { descriptor, body } = await registry.manifest(ref.reference);
  if (descriptor.mediaType === MEDIA.index) {
    const chosen = choosePlatform(url, JSON.parse(body.toString('utf8')) as { manifests?: Descriptor[] }, platform);
    ({ descriptor, body } = await registry.manifest(chosen.digest, chosen));
  }
  if (descriptor.mediaType !== MEDIA.manifest) throw notAPluginArtifact(url, descriptor.mediaType);
  const layer = pluginLayer(url, descriptor, JSON.parse(body.toString('utf8')) as { layers?: Descriptor[] });
  return registry.blob(layer);
}

/** One entry of a plugin artifact's image index, with the layer media types of the manifest it names. */
export interface OciIndexEntry {
  /** `os/architecture`, or undefined when the entry names no platform. */
  platform?: string;
  digest: string;
  mediaType: string;
  /** Media types of the manifest's layers, in order; absent when the manifest could not be read. */
  layers?: string[];
  /** Why the manifest could not be read (HTTP error, digest mismatch, not JSON). */
  error?: string;
}

/** What a plugin artifact's tag resolves to: an image index and its entries, or a single manifest (then no entries). */
export interface OciIndexFacts {
  url: string;
  /** Media type of the document the tag or digest names. */
  mediaType: string;
  digest: string;
  entries: OciIndexEntry[];
}

/**
 * Reads the image index an oci:// URL names and every manifest it lists (release checks, RELEASE-002); blobs are not
 * downloaded. Throws SetupError when the index itself cannot be read; a manifest that cannot be read is an entry error.
 */
export async function readOciIndex(url: string, options: Omit<OciPullOptions, 'platform'> = {}): Promise<OciIndexFacts> {
  const ref = parseOciUrl(url);
  const registry = new RegistryClient(ref, url, options);
  const top = await registry.manifest(ref.reference);
  if (top.descriptor.mediaType !== MEDIA.index) return { url, mediaType: top.descriptor.mediaType, digest: top.descriptor.digest, entries: [] };
  const manifests = (JSON.parse(top.body.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? [];
  const entries = await Promise.all(
    manifests.map(async (m): Promise<OciIndexEntry> => {
      const entry: OciIndexEntry = { ...(m.platform ? { platform: `${m.platform.os}/${m.platform.architecture}` } : {}), digest: m.digest, mediaType: m.mediaType };
      try {
        const { body } = await registry.manifest(m.digest, m);
        return { ...entry, layers: ((JSON.parse(body.toString('utf8')) as { layers?: Descriptor[] }).layers ?? []).map((l) => l.mediaType) };
      } catch (error) {
        return { ...entry, error: (error as Error).message };
      }
    }),
  );
  return { url, mediaType: top.descriptor.mediaType, digest: top.descriptor.digest, entries };
}

function choosePlatform(url: string, index: { manifests?: Descriptor[] }, platform: Platform): Descriptor {
  const manifests = index.manifests ?? [];
  const match = manifests.find((m) => m.platform?.os === platform.os && m.platform?.architecture === platform.architecture);
  if (match) return match;
  const offered = manifests.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}` : `(no platform) ${m.digest}`));
  throw new SetupError(
    `${url}: no build for ${platform.os}/${platform.architecture} (this machine); the artifact offers: ${offered.join(', ') || 'nothing (empty index)'}. ` +
      `piped picks the index entry whose platform equals its own GOOS/GOARCH: push a ${platform.os}/${platform.architecture} build ` +
      `(pipectl plugin push --files ${platform.os}/${platform.architecture}=<binary>,…).`,
  );
}

function pluginLayer(url: string, manifest: Descriptor, body: { layers?: Descriptor[] }): Descriptor {
  const layers = body.layers ?? [];
  const matching = layers.filter((l) => l.mediaType === PLUGIN_MEDIA_TYPE);
  if (matching.length === 1) return matching[0];
  const seen = layers.map((l) => l.mediaType).join(', ') || 'none';
  if (matching.length === 0) {
    throw new SetupError(
      `${url}: manifest ${manifest.digest} has no layer of media type ${PLUGIN_MEDIA_TYPE} (its layers: ${seen}); ` +
        `piped would download an empty file. Push the plugin with \`pipectl plugin push\`, which sets that media type.`,
    );
  }
  throw new SetupError(
    `${url}: manifest ${manifest.digest} has ${matching.length} layers of media type ${PLUGIN_MEDIA_TYPE}; piped would concatenate them ` +
      `into one file, which is no executable. Push exactly one file per platform.`,
  );
}

function notAPluginArtifact(url: string, mediaType: string): SetupError {
  const image = mediaType === MEDIA.dockerList || mediaType === MEDIA.dockerManifest;
  return new SetupError(
    `${url}: the registry returned a ${mediaType || 'manifest without a media type'}, ` +
      `${image ? 'i.e. a container image' : 'which piped cannot read'}, not a plugin artifact (an OCI image index or manifest whose layer has ` +
      `media type ${PLUGIN_MEDIA_TYPE}). ${image ? 'To test a plugin image, pass docker:<image>; to ' : 'To '}publish a plugin binary, use \`pipectl plugin push\`.`,
  );
}

/** Talks to one repository of one registry: auth challenges, the loopback plain-HTTP fallback, digest checks. */
class RegistryClient {
  private scheme: 'https' | 'http' = 'https';
  private authorization: string | undefined;

  constructor(private readonly ref: OciReference, private readonly url: string, private readonly options: OciPullOptions) {}

  /** A manifest or index by tag or digest, checked against `expected` (or the digest it was asked by). */
  async manifest(reference: string, expected?: Descriptor): Promise<{ descriptor: Descriptor; body: Buffer }> {
    const what = `${DIGEST.test(reference) ? 'manifest' : 'tag'} ${reference} in repository ${this.ref.repository}`;
    const response = await this.get(`/v2/${this.ref.repository}/manifests/${reference}`, ACCEPT, what);
    const body = response.body;
    const actual = sha256(body);
    const wanted = expected?.digest ?? (DIGEST.test(reference) ? reference : headerText(response.headers['docker-content-digest']));
    if (wanted && wanted !== actual) throw this.digestMismatch(`manifest ${reference}`, response.url, wanted, actual, body.length);
    let parsed: { mediaType?: string };
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new SetupError(`${this.url}: the manifest at ${response.url} is not JSON; is this an OCI registry?`);
    }
    const contentType = headerText(response.headers['content-type'])?.split(';')[0].trim();
    const mediaType = parsed.mediaType ?? contentType ?? '';
    return { descriptor: { mediaType, digest: actual, size: body.length }, body };
  }

  /** A blob, checked against its descriptor's digest and size. */
  async blob(descriptor: Descriptor): Promise<Buffer> {
    const response = await this.get(`/v2/${this.ref.repository}/blobs/${descriptor.digest}`, '*/*', `blob ${descriptor.digest}`);
    const actual = sha256(response.body);
    if (actual !== descriptor.digest || (descriptor.size !== undefined && response.body.length !== descriptor.size)) {
      throw this.digestMismatch(`layer ${descriptor.digest} (descriptor size ${descriptor.size})`, response.url, descriptor.digest, actual, response.body.length);
    }
    return response.body;
  }

  private digestMismatch(what: string, from: string, expected: string, actual: string, size: number): SetupError {
    return new SetupError(
      `${this.url}: digest mismatch for ${what} from ${from}: expected ${expected}, got ${actual} (${size} bytes). ` +
        `The registry (or something in between) served other content than the artifact names; refusing to run it.`,
    );
  }

  private async get(pathname: string, accept: string, what: string): Promise<HttpResponse> {
    let response = await this.send(pathname, accept);
    if (response.status === 401) {
      await this.authenticate(response);
      response = await this.send(pathname, accept);
      if (response.status === 401 || response.status === 403) throw this.refused(response);
    }
    if (response.status === 200) return response;
    const tried = `HTTP ${response.status} for GET ${response.url}`;
    if (response.status === 404) {
      throw new SetupError(`${this.url}: the registry has no ${what} (${tried}${errorDetail(response)}). Check the repository name and the tag or digest.`);
    }
    if (response.status === 403) throw this.refused(response);
    throw new SetupError(`${this.url}: the registry did not serve ${what} (${tried}${errorDetail(response)}).`);
  }

  private async send(pathname: string, accept: string): Promise<HttpResponse> {
    const headers: Record<string, string> = { Accept: accept, 'User-Agent': 'plugin-conformance' };
    if (this.authorization) headers.Authorization = this.authorization;
    try {
      return await httpGet(`${this.scheme}://${this.ref.registry}${pathname}`, { headers, ca: this.options.ca });
    } catch (error) {
      // Like `docker`, registries on loopback may speak plain HTTP (piped itself always uses HTTPS).
      if (this.scheme === 'https' && isLoopback(this.ref.registry) && error instanceof HttpFailure && isPlainHttpAnswer(error)) {
        this.scheme = 'http';
        return this.send(pathname, accept);
      }
      throw new SetupError(`${this.url}: ${(error as Error).message}`);
    }
  }

  /** Answers a 401 challenge: Basic directly, Bearer through the token endpoint it names. */
  private async authenticate(challenge: HttpResponse): Promise<void> {
    const header = headerText(challenge.headers['www-authenticate']) ?? '';
    const creds = this.options.credentials;
    const basic = creds ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` : undefined;
    if (/^basic\b/i.test(header)) {
      if (!basic) throw this.needsCredentials(challenge);
      this.authorization = basic;
      return;
    }
    if (!/^bearer\b/i.test(header)) throw this.needsCredentials(challenge);
    const params = challengeParams(header);
    if (!params.realm) throw new SetupError(`${this.url}: the registry's Bearer challenge names no token realm (${header}).`);
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    tokenUrl.searchParams.set('scope', params.scope ?? `repository:${this.ref.repository}:pull`);
    let answer: HttpResponse;
    try {
      answer = await httpGet(tokenUrl.href, { headers: basic ? { Authorization: basic } : {}, ca: this.options.ca });
    } catch (error) {
      throw new SetupError(`${this.url}: cannot get a registry token: ${(error as Error).message}`);
    }
    if (answer.status === 401 || answer.status === 403) throw basic ? this.refused(answer) : this.needsCredentials(answer);
    const token = answer.status === 200 ? (JSON.parse(answer.body.toString('utf8')) as { token?: string; access_token?: string }) : {};
    const value = token.token ?? token.access_token;
    if (!value) throw new SetupError(`${this.url}: the token endpoint ${tokenUrl.origin}${tokenUrl.pathname} answered HTTP ${answer.status} without a token.`);
    this.authorization = `Bearer ${value}`;
  }

  private needsCredentials(response: HttpResponse): SetupError {
    const notes = this.options.credentialNotes?.length ? ` (${this.options.credentialNotes.join('; ')})` : '';
    return new SetupError(
      `${this.url}: the registry requires credentials (HTTP ${response.status} for GET ${response.url})${notes}. ` +
        `Pass --registry-auth user:password, or run \`docker login ${this.ref.registry}\`.`,
    );
  }

  private refused(response: HttpResponse): SetupError {
    return new SetupError(
      `${this.url}: the registry refused the credentials from ${this.options.credentials?.source ?? 'nowhere'} for user ` +
        `"${this.options.credentials?.username ?? ''}" (HTTP ${response.status} for GET ${response.url}${errorDetail(response)}). Check them and their pull permission.`,
    );
  }
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function challengeParams(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of header.replace(/^\w+\s+/, '').matchAll(/(\w+)="([^"]*)"/g)) params[match[1].toLowerCase()] = match[2];
  return params;
}

/** The registry's own error text (distribution returns {errors: [{code, message}]}), for messages. */
function errorDetail(response: HttpResponse): string {
  try {
    const errors = (JSON.parse(response.body.toString('utf8')) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    return errors.length ? `: ${errors.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ')}` : '';
  } catch {
    return '';
  }
}

function isLoopback(hostPort: string): boolean {
  const host = hostPort.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function isPlainHttpAnswer(error: HttpFailure): boolean {
  return error.code === 'EPROTO' || error.code === 'ECONNRESET' || /wrong version number|packet length too long/i.test(error.message);
}
