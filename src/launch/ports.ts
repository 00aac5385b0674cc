// Free ports chosen at run time, so parallel runs never collide on a fixed port.
// They come from below the kernel's ephemeral range. A port the kernel hands out (bind to port 0, or the local end of
// an outgoing connection) can be taken by anyone between our check and the plugin's own bind: an SDK plugin binds its
// admin server to port 0 while starting up, and suites start plugins concurrently. A port outside that range is only
// ever taken by explicit choice, and the check below catches those.
import { readFileSync } from 'node:fs';
import net from 'node:net';

const LOWEST_PORT = 10_000;
/** Ports this process already handed out: two plugins started together must not be given the same one. */
const handedOut = new Set<number>();

/** A TCP port that was free on every local address a moment ago, outside the kernel's ephemeral range when possible. */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  for (let attempt = 0; attempt < 100 && ephemeralLow - LOWEST_PORT >= 1_000; attempt++) {
    const port = LOWEST_PORT + Math.floor(Math.random() * (ephemeralLow - LOWEST_PORT));
    if (handedOut.has(port)) continue;
    handedOut.add(port); // before the check, so a concurrent call cannot pick it too
    if (await canListen(port)) return port;
    handedOut.delete(port);
  }
  return kernelPort();
}

/** The kernel's ephemeral port range (Linux); elsewhere the IANA dynamic range, which macOS and Windows use. */
export function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return [low, high];
  } catch {
    // not Linux
  }
  return [49_152, 65_535];
}

/** Whether `port` can be bound on all interfaces (a plugin listens on `:port`): IPv6 dual-stack, else IPv4. */
async function canListen(port: number): Promise<boolean> {
  const result = await tryListen(port, '::');
  return result === 'unavailable' ? (await tryListen(port, '0.0.0.0')) === 'free' : result === 'free';
}

function tryListen(port: number, host: string): Promise<'free' | 'in-use' | 'unavailable'> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' || error.code === 'EACCES' ? 'in-use' : 'unavailable'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve('free')));
  });
}

/** A port the kernel picked: the fallback when the range below the ephemeral ports is too small. */
function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => {
        handedOut.add(port);
        resolve(port);
      });
    });
  });
}

/** Whether something accepts TCP connections on host:port right now. */
export function isListening(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
