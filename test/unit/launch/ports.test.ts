import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralRange, freePort } from '../../../src/launch/ports.js';

function listen(port: number, host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

describe('freePort', () => {
  it('picks ports below the kernel ephemeral range, where no bind(0) or outgoing connection can take them meanwhile', async () => {
    const [low] = ephemeralRange();
    for (let i = 0; i < 5; i++) expect(await freePort()).toBeLessThan(low);
  });

  it('never hands out the same port twice in one process, even when asked concurrently', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('gives a port the plugin can bind on all interfaces, as SDK plugins listen on `:port`', async () => {
    const port = await freePort();
    const server = await listen(port, '0.0.0.0');
    await new Promise((resolve) => server.close(resolve));
  });
});
