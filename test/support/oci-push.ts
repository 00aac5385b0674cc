// Pushes a plugin to an OCI registry over the distribution HTTP API, laid out as `pipectl plugin push` lays it out
// (pkg/oci/push.go): per platform an OCI 1.1 artifact manifest (artifactType application/vnd.pipecd.piped.plugin+type,
// empty config, one layer of media type application/vnd.pipecd.piped.plugin), then an image index naming each
// manifest with its os/architecture, tagged. Test support only: tests shape broken artifacts with the options.
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { MEDIA, PLUGIN_MEDIA_TYPE, type Platform } from '../../src/launch/oci.js';

export const ARTIFACT_TYPE = 'application/vnd.pipecd.piped.plugin+type';
const EMPTY_CONFIG = { mediaType: 'application/vnd.oci.empty.v1+json', data: Buffer.from('{}') };

export interface PluginFile {
  platform: Platform;
  data: Buffer;
  /** Layer media type; default PLUGIN_MEDIA_TYPE. */
  mediaType?: string;
}

export interface PushTarget {
  /** `https://127.0.0.1:5000` or `http://…` */
  origin: string;
  repository: string;
  tag: string;
  ca?: string;
}

export interface Pushed {
  indexDigest: string;
  manifestDigests: string[];
}

/** Pushes `files` as a multi-platform plugin artifact tagged `target.tag`. */
export async function pushPlugin(target: PushTarget, files: PluginFile[]): Promise<Pushed> {
  await pushBlob(target, EMPTY_CONFIG.data);
  const manifests = [];
  for (const file of files) {
    const layer = await pushBlob(target, file.data);
    const manifest = json({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      artifactType: ARTIFACT_TYPE,
      config: { mediaType: EMPTY_CONFIG.mediaType, digest: digestOf(EMPTY_CONFIG.data), size: EMPTY_CONFIG.data.length, data: EMPTY_CONFIG.data.toString('base64') },
      layers: [{ mediaType: file.mediaType ?? PLUGIN_MEDIA_TYPE, ...layer, annotations: { 'org.opencontainers.image.title': 'plugin' } }],
    });
    const digest = await putManifest(target, digestOf(manifest), manifest, MEDIA.manifest);
    manifests.push({ mediaType: MEDIA.manifest, digest, size: manifest.length, platform: file.platform });
  }
  const index = json({ schemaVersion: 2, mediaType: MEDIA.index, manifests });
  const indexDigest = await putManifest(target, target.tag, index, MEDIA.index);
  return { indexDigest, manifestDigests: manifests.map((m) => m.digest) };
}

/** Uploads a blob (POST then PUT, the two-step upload every registry supports); returns its descriptor fields. */
export async function pushBlob(target: PushTarget, data: Buffer): Promise<{ digest: string; size: number }> {
  const digest = digestOf(data);
  const started = await send('POST', `${target.origin}/v2/${target.repository}/blobs/uploads/`, target.ca);
  if (started.status !== 202 || !started.location) throw new Error(`blob upload start: HTTP ${started.status} ${started.body}`);
  const location = new URL(started.location, target.origin);
  location.searchParams.set('digest', digest);
  const done = await send('PUT', location.href, target.ca, data, { 'Content-Type': 'application/octet-stream' });
  if (done.status !== 201) throw new Error(`blob upload ${digest}: HTTP ${done.status} ${done.body}`);
  return { digest, size: data.length };
}

async function putManifest(target: PushTarget, reference: string, body: Buffer, mediaType: string): Promise<string> {
  const response = await send('PUT', `${target.origin}/v2/${target.repository}/manifests/${reference}`, target.ca, body, { 'Content-Type': mediaType });
  if (response.status !== 201) throw new Error(`manifest ${reference}: HTTP ${response.status} ${response.body}`);
  return digestOf(body);
}

export function digestOf(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

interface Sent {
  status: number;
  location?: string;
  body: string;
}

function send(method: string, url: string, ca?: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Sent> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(target, { method, headers: { ...headers, 'Content-Length': String(body?.length ?? 0) }, ...(ca ? { ca: [...rootCertificates, ca] } : {}) }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}
