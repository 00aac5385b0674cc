// HTTP(S) GET for plugin downloads and OCI registries: a private CA, redirects (registries send blobs elsewhere),
// bounded waits. Statuses are returned, not thrown; network and TLS failures throw with a hint at the fix.
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';

export interface HttpOptions {
  headers?: Record<string, string>;
  /** PEM certificates trusted in addition to the system's (`--ca-cert`). */
  ca?: string;
  /** Longest silence on the socket before giving up. */
  idleTimeoutMs?: number;
  maxRedirects?: number;
}

export interface HttpResponse {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request that got no HTTP answer at all (refused, TLS failure, timeout). */
export class HttpFailure extends Error {
  override name = 'HttpFailure';
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** GET `url`, following up to `maxRedirects` redirects; the Authorization header is never sent to another host. */
export async function httpGet(url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  let current = url;
  let headers = { ...options.headers };
  for (let redirects = 0; ; redirects += 1) {
    const response = await requestOnce(current, headers, options);
    const location = response.headers.location;
    if (response.status < 300 || response.status >= 400 || !location) return response;
    if (redirects >= (options.maxRedirects ?? 5)) return response;
    const next = new URL(location, current);
    if (next.host !== new URL(current).host) headers = withoutAuthorization(headers);
    current = next.href;
  }
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
}

function requestOnce(url: string, headers: Record<string, string>, options: HttpOptions): Promise<HttpResponse> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  // Node trusts its bundled roots only while `ca` is unset: keep them when adding a private CA.
  const tls = target.protocol === 'https:' && options.ca ? { ca: [...rootCertificates, options.ca] } : {};
  return new Promise((resolve, reject) => {
    const request = transport.get(target, { headers, ...tls }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ url, status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', (error) => reject(failure(url, error)));
    });
    request.setTimeout(options.idleTimeoutMs ?? 30_000, () => request.destroy(Object.assign(new Error('no answer (timed out)'), { code: 'ETIMEDOUT' })));
    request.on('error', (error) => reject(failure(url, error)));
  });
}

function failure(url: string, error: Error & { code?: string }): HttpFailure {
  const code = error.code;
  let hint = '';
  if (code && TLS_TRUST_CODES.has(code)) hint = '; the server certificate is not signed by a trusted CA: pass --ca-cert FILE with the CA that signed it';
  else if (code === 'CERT_HAS_EXPIRED') hint = '; the server certificate has expired';
  else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') hint = '; the server certificate does not name this host';
  else if (code === 'ECONNREFUSED') hint = '; nothing listens there';
  else if (code === 'ENOTFOUND') hint = '; the host name does not resolve';
  return new HttpFailure(`GET ${url} failed: ${error.message}${hint}`, code);
}
