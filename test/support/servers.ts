// Local test servers for fetched plugin targets: an HTTPS file server with a self-signed certificate (made with
// openssl, trusted through --ca-cert), and a scripted HTTP server that plays a registry answering whatever a test
// needs (lying digests, auth challenges). Both listen on 127.0.0.1 only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** Maps a request to an answer; undefined = 404. */
export type Route = (request: http.IncomingMessage) => Answer | undefined;

export interface TestServer {
  /** `https://127.0.0.1:<port>` or `http://…` */
  origin: string;
  /** Every request's method, path and Authorization header, in order. */
  requests: { method: string; path: string; authorization?: string }[];
  close(): Promise<void>;
}

export interface TestHttpsServer extends TestServer {
  /** PEM file of the self-signed certificate: pass it as --ca-cert. */
  caFile: string;
  ca: string;
}

/** A self-signed certificate for 127.0.0.1 and localhost, written to a fresh temp folder. */
export function selfSignedCertificate(): { certFile: string; keyFile: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile };
}

/** An HTTPS server on 127.0.0.1 answering by `route`. */
export async function startHttpsServer(route: Route): Promise<TestHttpsServer> {
  const { certFile, keyFile } = selfSignedCertificate();
  const server = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) });
  const started = await listen(server, route, 'https');
  return { ...started, caFile: certFile, ca: readFileSync(certFile, 'utf8') };
}

/** A plain HTTP server on 127.0.0.1 answering by `route`. */
export function startHttpServer(route: Route): Promise<TestServer> {
  return listen(http.createServer(), route, 'http');
}

/** Routes fixed paths to fixed answers. */
export function files(byPath: Record<string, Answer>): Route {
  return (request) => byPath[new URL(request.url ?? '/', 'http://x').pathname];
}

async function listen(server: http.Server | https.Server, route: Route, scheme: string): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    requests.push({ method: request.method ?? '', path: request.url ?? '', authorization: request.headers.authorization });
    const answer = route(request) ?? { status: 404, body: 'not found' };
    response.writeHead(answer.status ?? 200, answer.headers);
    response.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${scheme}://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
