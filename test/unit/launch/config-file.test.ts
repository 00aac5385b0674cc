import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { parsePluginEntry } from '../../../src/launch/config-file.js';

const FILE = 'conf/plugin.yaml';

/** The UsageError parsePluginEntry throws for `text` (fails the test when it does not throw one). */
function errorOf(text: string): UsageError {
  try {
    parsePluginEntry(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`expected a UsageError for:\n${text}`);
}

describe('parsePluginEntry: valid entries', () => {
  it('reads a YAML entry with name, object config and deployTargets (config null, labels)', () => {
    const text = [
      'name: kubernetes',
      'config:',
      '  kubectlVersion: "1.32.0"',
      '  retries: 3',
      '  dryRun: false',
      'deployTargets:',
      '  - name: dev',
      '    labels:',
      '      env: dev',
      '      region: "1"',
      '    config:',
      '      masterURL: https://dev.example',
      '  - name: prod',
      '',
    ].join('\n');
    expect(parsePluginEntry(text, FILE)).toEqual({
      name: 'kubernetes',
      config: { kubectlVersion: '1.32.0', retries: 3, dryRun: false },
      deployTargets: [
        { name: 'dev', labels: { env: 'dev', region: '1' }, config: { masterURL: 'https://dev.example' } },
        { name: 'prod', config: null },
      ],
    });
  });

  it('keeps config of any JSON type', () => {
    expect(parsePluginEntry('config: [1, "two", {three: 3}]\n', FILE)).toEqual({ config: [1, 'two', { three: 3 }] });
    expect(parsePluginEntry('config: hello\n', FILE)).toEqual({ config: 'hello' });
    expect(parsePluginEntry('config: 42\n', FILE)).toEqual({ config: 42 });
    expect(parsePluginEntry('config: true\n', FILE)).toEqual({ config: true });
    expect(parsePluginEntry('config: null\n', FILE)).toEqual({ config: null });
    expect(parsePluginEntry('name: p\n', FILE)).toEqual({ name: 'p' });
  });

  it('reads a JSON entry', () => {
    const text = JSON.stringify(
      { name: 'wait', config: { a: [1, 2], b: null }, deployTargets: [{ name: 't1', config: null, labels: { team: 'x' } }, { name: 't2', config: 'raw' }] },
      null,
      2,
    );
    expect(parsePluginEntry(text, 'plugin.json')).toEqual({
      name: 'wait',
      config: { a: [1, 2], b: null },
      deployTargets: [
        { name: 't1', labels: { team: 'x' }, config: null },
        { name: 't2', config: 'raw' },
      ],
    });
  });

  it('accepts piped\'s url and port keys', () => {
    expect(parsePluginEntry('name: p\nurl: file:///x\nport: 7001\n', FILE)).toEqual({ name: 'p' });
  });
});

describe('parsePluginEntry: errors name file:line and the fix', () => {
  it('bad YAML: a tab used as indentation, at its line', () => {
    const error = errorOf('name: p\nconfig:\n  a: 1\n\tb: 2\n');
    expect(error.message).toMatch(/^conf\/plugin\.yaml:4: not valid YAML or JSON: /);
    expect(error.message).toContain('Tabs are not allowed as indentation');
  });

  it('bad YAML: a duplicate key, at the duplicate\'s line', () => {
    expect(errorOf('name: p\nconfig: {}\nname: q\n').message).toMatch(/^conf\/plugin\.yaml:3: not valid YAML or JSON: Map keys must be unique/);
  });

  it('bad JSON: a stray brace, at its line', () => {
    expect(errorOf('{"name": "p",\n "config": {"a": 1}}}\n').message).toMatch(/^conf\/plugin\.yaml:2: not valid YAML or JSON: /);
  });

  it('a top-level list says a mapping of name, config, deployTargets is expected, at the list\'s line', () => {
    const error = errorOf('# the plugin\n\n- name: p\n  config: {}\n');
    expect(error.message).toContain('expected a mapping with name, config and deployTargets');
    expect(error.message).toMatch(/^conf\/plugin\.yaml:3: /);
  });

  it('an empty file says a mapping is expected', () => {
    expect(errorOf('').message).toBe(`${FILE}: expected a mapping with name, config and deployTargets (piped's spec.plugins[] entry).`);
  });

  it('an unknown top-level key gives that key\'s line and the allowed keys', () => {
    expect(errorOf('name: p\nconfig: {}\nconfg: 1\n').message).toBe(`${FILE}:3: unknown key "confg"; allowed: name, url, port, config, deployTargets, conformance.`);
  });

  it('an unknown top-level key whose value is a block gives the key\'s line, not the value\'s', () => {
    expect(errorOf('name: p\nconfg:\n  a: 1\n').message).toBe(`${FILE}:2: unknown key "confg"; allowed: name, url, port, config, deployTargets, conformance.`);
  });

  it('an unknown key in JSON gives its line', () => {
    expect(errorOf('{\n  "name": "p",\n  "deploy_targets": []\n}\n').message).toMatch(/^conf\/plugin\.yaml:3: unknown key "deploy_targets"/);
  });

  it('a non-string name gives its line', () => {
    expect(errorOf('config: {}\nname: 5\n').message).toBe(`${FILE}:2: name must be a non-empty string.`);
  });

  it('deployTargets not a list gives its line and the expected shape', () => {
    expect(errorOf('name: p\nconfig: {}\ndeployTargets: dev\n').message).toBe(`${FILE}:3: deployTargets must be a list of {name, labels?, config}.`);
  });

  it('a deploy target without a name gives that item\'s line', () => {
    const text = 'name: p\ndeployTargets:\n  - name: dev\n    config: null\n  - labels:\n      env: prod\n    config: {}\n';
    expect(errorOf(text).message).toBe(`${FILE}:5: deployTargets[1].name must be a non-empty string.`);
  });

  it('a deploy target that is not a mapping gives that item\'s line', () => {
    expect(errorOf('name: p\ndeployTargets:\n  - name: dev\n  - prod\n').message).toBe(`${FILE}:4: deployTargets[1] must be a mapping with a name.`);
  });

  it('a deploy target with an unknown key names the key and the allowed ones', () => {
    expect(errorOf('deployTargets:\n  - name: dev\n    label: {}\n').message).toBe(`${FILE}:2: deployTargets[0] has unknown key "label"; allowed: name, labels, config.`);
  });

  it('labels that are not strings give the target\'s line', () => {
    const text = 'name: p\ndeployTargets:\n  - name: dev\n  - name: prod\n    labels:\n      replicas: 3\n';
    expect(errorOf(text).message).toBe(`${FILE}:4: deployTargets[1].labels must map strings to strings.`);
  });

  it('labels that are a list are refused too', () => {
    expect(errorOf('deployTargets:\n  - name: dev\n    labels: [3]\n').message).toContain('deployTargets[0].labels must map strings to strings');
  });
});

describe('parsePluginEntry: the conformance section', () => {
  it('resolves conformance.apps against the config file\'s folder, not the working directory', () => {
    const text = 'name: p\nconformance:\n  apps:\n    - examples/basic\n    - ../shared/app\n    - /abs/app\n';
    expect(parsePluginEntry(text, '/repo/conf/plugin.yaml')).toEqual({
      name: 'p',
      conformance: { apps: ['/repo/conf/examples/basic', '/repo/shared/app', '/abs/app'], stages: {} },
    });
  });

  it('resolves apps of a relative config path from the current folder plus the file\'s folder', () => {
    expect(parsePluginEntry('conformance:\n  apps: [basic]\n', FILE).conformance).toEqual({ apps: [path.resolve('conf', 'basic')], stages: {} });
  });

  it('reads stages: every example is a with: block whose source names the key, its position and the file', () => {
    const text = [
      'name: p',
      'config: {}',
      'conformance:',
      '  stages:',
      '    REF_WAIT:',
      '      - duration: 1s',
      '      - duration: 2s',
      '    REF_APPROVAL:',
      '      - approvers: [alice, bob]',
      '        minApproverNum: 2',
      '',
    ].join('\n');
    expect(parsePluginEntry(text, FILE)).toEqual({
      name: 'p',
      config: {},
      conformance: {
        apps: [],
        stages: {
          REF_WAIT: [
            { with: { duration: '1s' }, source: 'conformance.stages.REF_WAIT[0] in conf/plugin.yaml' },
            { with: { duration: '2s' }, source: 'conformance.stages.REF_WAIT[1] in conf/plugin.yaml' },
          ],
          REF_APPROVAL: [{ with: { approvers: ['alice', 'bob'], minApproverNum: 2 }, source: 'conformance.stages.REF_APPROVAL[0] in conf/plugin.yaml' }],
        },
      },
    });
  });

  it('reads apps and stages together from JSON, and an empty list of examples as none', () => {
    const text = JSON.stringify({ name: 'p', conformance: { apps: ['a'], stages: { X: [{}], Y: [] } } }, null, 2);
    expect(parsePluginEntry(text, '/c/plugin.json')).toEqual({
      name: 'p',
      conformance: { apps: ['/c/a'], stages: { X: [{ with: {}, source: 'conformance.stages.X[0] in /c/plugin.json' }], Y: [] } },
    });
  });

  it('an empty conformance mapping gives no apps and no stages; an empty conformance: key none at all', () => {
    expect(parsePluginEntry('conformance: {}\n', FILE)).toEqual({ conformance: { apps: [], stages: {} } });
    expect(parsePluginEntry('name: p\nconformance:\n', FILE)).toEqual({ name: 'p' });
  });
});

describe('parsePluginEntry: conformance errors name file:line and the fix', () => {
  it('conformance not a mapping gives the key\'s line', () => {
    expect(errorOf('name: p\nconformance: [examples/basic]\n').message).toBe(`${FILE}:2: conformance must be a mapping with apps and/or stages.`);
    expect(errorOf('conformance: 5\n').message).toBe(`${FILE}:1: conformance must be a mapping with apps and/or stages.`);
  });

  it('an unknown key under conformance (the stage: typo) gives its line and the allowed keys', () => {
    const text = 'name: p\nconformance:\n  apps: [a]\n  stage:\n    REF_WAIT: []\n';
    expect(errorOf(text).message).toBe(`${FILE}:4: unknown key "conformance.stage"; allowed: apps, stages.`);
  });

  it('apps that is not a list gives the apps line', () => {
    expect(errorOf('name: p\nconformance:\n  apps: examples/basic\n').message).toBe(
      `${FILE}:3: conformance.apps must be a list of folders (relative to this file) holding an app.pipecd.yaml.`,
    );
  });

  it('apps with a non-string or empty item gives the apps line', () => {
    const message = `${FILE}:3: conformance.apps must be a list of folders (relative to this file) holding an app.pipecd.yaml.`;
    expect(errorOf('name: p\nconformance:\n  apps:\n    - a\n    - 3\n').message).toBe(message);
    expect(errorOf('name: p\nconformance:\n  apps: [a, ""]\n').message).toBe(message);
    expect(errorOf('name: p\nconformance:\n  apps: [{dir: a}]\n').message).toBe(message);
  });

  it('stages that is not a mapping gives the stages line', () => {
    expect(errorOf('name: p\nconformance:\n  stages: [REF_WAIT]\n').message).toBe(`${FILE}:3: conformance.stages must map stage names to lists of example with: blocks.`);
  });

  it('stages.X that is a mapping, not a list of mappings, gives X\'s line', () => {
    const text = 'name: p\nconformance:\n  stages:\n    REF_WAIT:\n      - duration: 1s\n    REF_APPROVAL: {approvers: [alice]}\n';
    expect(errorOf(text).message).toBe(
      `${FILE}:6: conformance.stages.REF_APPROVAL must be a list of with: blocks (mappings), e.g. [{approvers: [alice]}].`,
    );
  });

  it('stages.X with an item that is a list, a scalar or empty gives X\'s line', () => {
    const message = (line: number) => `${FILE}:${line}: conformance.stages.REF_WAIT must be a list of with: blocks (mappings), e.g. [{approvers: [alice]}].`;
    expect(errorOf('name: p\nconformance:\n  stages:\n    REF_WAIT:\n      - [1]\n').message).toBe(message(4));
    expect(errorOf('conformance:\n  stages:\n    REF_WAIT: [1s]\n').message).toBe(message(3));
    expect(errorOf('conformance:\n  stages:\n    REF_WAIT:\n      -\n').message).toBe(message(3));
    expect(errorOf('conformance:\n  stages:\n    REF_WAIT:\n').message).toBe(message(3));
  });
});
