import { describe, expect, it } from 'vitest';
import { configFlagValue, parseArgs, UsageError } from '../../../fixtures/plugins/reference/cli.js';
import { ConfigError, DEFAULT_COMMAND_POLL_MS, parsePluginConfig, peekFaults } from '../../../fixtures/plugins/reference/config.js';
import { parseDuration } from '../../../fixtures/plugins/reference/durations.js';

const valid = { name: 'ref', url: 'file:///tmp/ref', port: 7001, deployTargets: [{ name: 'local', config: null }] };
const json = (value: unknown) => JSON.stringify(value);

describe('reference plugin --config', () => {
  it('accepts the minimal deployment-plugin shape, defaulting the plugin config (CONF-001, CONF-005)', () => {
    const config = parsePluginConfig(json(valid));
    expect(config.name).toBe('ref');
    expect(config.port).toBe(7001);
    expect(config.settings.faults.list()).toEqual([]);
    expect(config.settings.commandPollMs).toBe(DEFAULT_COMMAND_POLL_MS);
    expect(config.deployTargets).toEqual([{ name: 'local', labels: {}, config: {} }]);
  });

  it('ignores unknown fields (CONF-002) and reads faults', () => {
    const config = parsePluginConfig(json({ ...valid, 'x-extra': 1, config: { faults: ['strategy-auto'], other: true } }));
    expect(config.settings.faults.has('strategy-auto')).toBe(true);
  });

  it.each([
    ['not JSON', '{nope'],
    ['not an object', '[]'],
    ['empty name', json({ ...valid, name: '' })],
    ['empty url', json({ ...valid, url: '' })],
    ['http url', json({ ...valid, url: 'http://example.com/p' })],
    ['plugin config not an object', json({ ...valid, config: 'x' })],
    ['no deploy targets (CONF-004)', json({ ...valid, deployTargets: [] })],
    ['unknown fault', json({ ...valid, config: { faults: ['no-such-fault'] } })],
    ['bad port', json({ ...valid, port: 'x' })],
  ])('rejects %s (PROC-008)', (_label, text) => {
    expect(() => parsePluginConfig(text)).toThrow(ConfigError);
  });

  it.each(['https://example.com/p', 'oci://registry/p:v1', 'FILE:///x'])('accepts url %s', (url) => {
    expect(parsePluginConfig(json({ ...valid, url })).url).toBe(url);
  });
});

describe('reference plugin argv', () => {
  it('parses the exact argv piped passes (PROC-001)', () => {
    expect(parseArgs(['start', '--piped-plugin-service', 'localhost:9087', '--config', '{}'])).toEqual({
      kind: 'start',
      pipedPluginService: 'localhost:9087',
      configJson: '{}',
    });
    expect(parseArgs(['start', '--config={}', '--piped-plugin-service=h:1'])).toMatchObject({ configJson: '{}', pipedPluginService: 'h:1' });
  });

  it.each([[[]], [['serve']], [['start', '--config', '{}']], [['start', '--piped-plugin-service', 'h:1']], [['start', '--tls', '--config', '{}']]])(
    'rejects %j (PROC-009)',
    (argv) => {
      expect(() => parseArgs(argv)).toThrow(UsageError);
    },
  );
});

describe('durations', () => {
  it.each([
    ['300ms', 300],
    ['2s', 2000],
    ['1m', 60000],
    ['1m30s', 90000],
    ['1.5s', 1500],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5', 's', '2 s', '2x'])('%j is not a duration', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('reference plugin --config faults of the PROC and CONF mutants', () => {
  const withFaults = (faults: string[], extra: object = {}) => json({ ...valid, config: { faults }, ...extra });

  it('reject-unknown-fields refuses a top-level field the reference ignores (CONF-002)', () => {
    expect(() => parsePluginConfig(withFaults(['reject-unknown-fields'], { 'x-extra': 1 }))).toThrow(/unknown field\(s\) "x-extra"/);
    expect(() => parsePluginConfig(withFaults(['reject-unknown-fields']))).not.toThrow();
  });

  it('reject-target-labels refuses deploy targets with labels (CONF-001)', () => {
    const labelled = { deployTargets: [{ name: 'local', labels: { a: 'b' }, config: null }] };
    expect(() => parsePluginConfig(withFaults(['reject-target-labels'], labelled))).toThrow(/unknown field "labels"/);
    expect(parsePluginConfig(json({ ...valid, ...labelled })).deployTargets[0].labels).toEqual({ a: 'b' });
  });

  it('hardcoded-plugin-name ignores config.name (CONF-003)', () => {
    expect(parsePluginConfig(withFaults(['hardcoded-plugin-name'], { name: 'conf-1234' })).name).toBe('reference-plugin');
  });

  it('accept-no-deploy-targets starts without targets (CONF-004)', () => {
    expect(parsePluginConfig(withFaults(['accept-no-deploy-targets'], { deployTargets: [] })).deployTargets).toEqual([]);
  });

  it('peekFaults reads faults from a config that parses, and none otherwise', () => {
    expect(peekFaults(withFaults(['usage-exit-zero'])).has('usage-exit-zero')).toBe(true);
    expect(peekFaults('{nope').list()).toEqual([]);
    expect(peekFaults(undefined).list()).toEqual([]);
  });

  it('configFlagValue finds --config in either form, even when argv does not parse', () => {
    expect(configFlagValue(['start', '--config', '{"a":1}'])).toBe('{"a":1}');
    expect(configFlagValue(['start', '--config={"a":1}'])).toBe('{"a":1}');
    expect(configFlagValue(['start', '--piped-plugin-service', 'x'])).toBeUndefined();
  });
});
