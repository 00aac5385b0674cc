import { describe, expect, it } from 'vitest';
import { AddressLauncher, attachCommand, parseAddress } from '../../../src/launch/address.js';
import { checkTargetRequest, containerImage, defaultPluginName, launcherFor, prepareTarget } from '../../../src/launch/resolve.js';
import { ContainerLauncher } from '../../../src/launch/container.js';
import { BinaryLauncher } from '../../../src/launch/binary.js';
import { parseCli } from '../../../src/cli.js';

const runId = 'test';

describe('checkTargetRequest', () => {
  it('wants exactly one of <plugin>, --container, --address', () => {
    expect(() => checkTargetRequest({ runId })).toThrow(/no plugin given/);
    expect(() => checkTargetRequest({ runId, target: './p', address: '127.0.0.1:1' })).toThrow(/give exactly one of <plugin>, --container IMAGE or --address HOST:PORT \(got a plugin argument and --address\)/);
  });

  it('--pull only with an image; --address only on loopback', () => {
    expect(() => checkTargetRequest({ runId, target: './p', pull: true })).toThrow(/--pull only applies to container images/);
    expect(() => checkTargetRequest({ runId, address: '10.0.0.1:7001' })).toThrow(/only loopback addresses/);
    expect(() => checkTargetRequest({ runId, address: 'localhost' })).toThrow(/--address takes host:port/);
  });
});

describe('target kinds', () => {
  it('docker:IMAGE and --container IMAGE name the same image', () => {
    expect(containerImage({ runId, target: 'docker:me/p:1' })).toBe('me/p:1');
    expect(containerImage({ runId, container: 'me/p:1' })).toBe('me/p:1');
    expect(containerImage({ runId, target: './p' })).toBeUndefined();
  });

  it('default plugin names: the repository or image name, as a piped config would call it', () => {
    expect(defaultPluginName({ runId, target: 'oci://r.example:5000/team/my-plugin:v1' })).toBe('my-plugin');
    expect(defaultPluginName({ runId, target: 'https://example.com/dl/my-plugin_linux_amd64?x=1' })).toBe('my-plugin_linux_amd64');
    expect(defaultPluginName({ runId, target: 'docker:registry:5000/team/my-plugin:1.2@sha256:abc' })).toBe('my-plugin');
  });

  it('http:// is refused with the reason (SDK plugins reject it)', async () => {
    await expect(prepareTarget({ runId, target: 'http://example.com/p' }, 'p')).rejects.toThrow(/SDK plugins refuse to start when --config's url is not file:\/\/, https:\/\/ or oci:\/\//);
  });

  it('the worker rebuilds the launcher the CLI resolved', () => {
    expect(launcherFor({ kind: 'binary', executable: '/x/p', url: 'https://e.example/p' })).toMatchObject({ executable: '/x/p', url: 'https://e.example/p' });
    expect(launcherFor({ kind: 'binary', executable: '/x/p', url: 'file:///x/p' })).toBeInstanceOf(BinaryLauncher);
    expect(launcherFor({ kind: 'container', image: 'me/p:1', labels: {} })).toBeInstanceOf(ContainerLauncher);
    const attached = launcherFor({ kind: 'address', address: '127.0.0.1:7001', port: 7001, url: 'file:///x' });
    expect(attached).toBeInstanceOf(AddressLauncher);
    expect(attached).toMatchObject({ ownsProcess: false, fixedPort: 7001 });
  });
});

describe('attach mode', () => {
  it('parses loopback host:port, including [::1]', () => {
    expect(parseAddress('127.0.0.1:7001')).toEqual({ host: '127.0.0.1', port: 7001 });
    expect(parseAddress('[::1]:7001')).toEqual({ host: '::1', port: 7001 });
  });

  it('prints a command line a shell passes back as the exact argv', () => {
    const line = attachCommand('<your-plugin>', '127.0.0.1:9087', { name: 'p', url: "file:///it's", port: 7001 });
    expect(line).toBe(`<your-plugin> start --piped-plugin-service 127.0.0.1:9087 --config '{"name":"p","url":"file:///it'\\''s","port":7001}'`);
  });

  it('the attached plugin is an endpoint: no exit, and stop() lets go without signalling', async () => {
    const plugin = await new AddressLauncher('127.0.0.1:7001').start({ hostAddress: '127.0.0.1:9087', config: { name: 'p', url: 'file:///x', port: 7001 } });
    expect(plugin.address).toBe('127.0.0.1:7001');
    expect(plugin.exitInfo()).toBeUndefined();
    expect(await plugin.stop(1000)).toMatchObject({ requested: true, killed: false, elapsedMs: 0 });
  });
});

describe('target options on the command line', () => {
  it('--container and --address stand in for the plugin argument', () => {
    expect(parseCli(['--container', 'me/p:1', '--pull'])).toMatchObject({ target: undefined, container: 'me/p:1', pull: true });
    expect(parseCli(['--address', '127.0.0.1:7001', '--host-port', '9087'])).toMatchObject({ address: '127.0.0.1:7001', hostPort: 9087 });
  });

  it('--registry-auth and --ca-cert are parsed; bad values are usage errors', () => {
    expect(parseCli(['oci://r.example/p:1', '--registry-auth', 'ci:tok', '--ca-cert', '/x/ca.pem'])).toMatchObject({
      registryAuth: { username: 'ci', password: 'tok' },
      caCertFile: '/x/ca.pem',
    });
    expect(() => parseCli(['--address', '127.0.0.1:7001', '--host-port', 'x'])).toThrow(/--host-port takes a TCP port \(1-65535\), got "x"/);
    expect(() => parseCli(['./p', '--container', 'me/p:1'])).toThrow(/give exactly one of <plugin>, --container IMAGE or --address HOST:PORT/);
  });
});
