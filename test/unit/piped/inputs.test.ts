// Example applications from folders: the config file chosen as piped's git_path.config_filename, the pipeline with
// piped's stage indexes and `with:` blocks, spec.plugins, the repository's .pipe/; every problem a UsageError with
// file:line. And the app folders found under a folder target's examples/ (or testdata/).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { discoverExampleApps, loadExampleApp, parseAppConfig } from '../../../src/piped/inputs.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'piped-inputs-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A fresh folder below the temp root (nested `depth` levels, so no .pipe/ of another test is in its parents). */
function fresh(depth = 4): string {
  folders += 1;
  const dir = path.join(root, `t${folders}`, ...Array.from({ length: depth - 1 }, (_, i) => `d${i}`));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes `files` (relative path → text) below `dir`, creating folders; returns `dir`. */
function write(dir: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** The UsageError `fn` throws (fails the test when it throws none or another error). */
function usageErrorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

const PIPELINE_APP = [
  'apiVersion: pipecd.dev/v1beta1',
  'kind: Application',
  'spec:',
  '  name: basic',
  '  plugins:',
  '    reference-plugin:',
  '      replicas: 2',
  '    other-plugin: {}',
  '  pipeline:',
  '    stages:',
  '      - name: REF_WAIT',
  '        with:',
  '          duration: 2s',
  '      - name: REF_SYNC',
  '      - name: REF_APPROVAL',
  '        with:',
  '          approvers: [alice, bob]',
  '      - name: REF_WAIT',
  '        with: null',
  '',
].join('\n');

describe('loadExampleApp', () => {
  it('reads app.pipecd.yaml: text as written, pipeline stages at their positions with their with: blocks, spec.plugins', () => {
    const dir = write(fresh(), { 'app.pipecd.yaml': PIPELINE_APP, 'manifests/deployment.yaml': 'kind: Deployment\n' });
    expect(loadExampleApp(dir, '--app')).toEqual({
      label: path.relative(process.cwd(), dir),
      dir,
      configFilename: 'app.pipecd.yaml',
      configText: PIPELINE_APP,
      sharedConfigDir: undefined,
      appName: 'basic',
      pipeline: [
        { name: 'REF_WAIT', index: 0, with: { duration: '2s' } },
        { name: 'REF_SYNC', index: 1 },
        { name: 'REF_APPROVAL', index: 2, with: { approvers: ['alice', 'bob'] } },
        { name: 'REF_WAIT', index: 3, with: null },
      ],
      plugins: { 'reference-plugin': { replicas: 2 }, 'other-plugin': {} },
    });
  });

  it('a stage without with: has no with key at all', () => {
    const dir = write(fresh(), { 'app.pipecd.yaml': PIPELINE_APP });
    expect(Object.keys(loadExampleApp(dir, '--app').pipeline[1])).toEqual(['name', 'index']);
  });

  it('reads the foo.pipecd.yaml form and keeps its name as the config filename', () => {
    const text = 'apiVersion: pipecd.dev/v1beta1\nkind: Application\nspec:\n  name: foo\n';
    const dir = write(fresh(), { 'foo.pipecd.yaml': text, 'README.md': '# foo\n' });
    const app = loadExampleApp(dir, 'conformance.apps');
    expect(app.configFilename).toBe('foo.pipecd.yaml');
    expect(app.configText).toBe(text);
    expect(app.appName).toBe('foo');
    expect(app.pipeline).toEqual([]);
    expect(app.plugins).toEqual({});
  });

  it('reads the foo.pipecd.yml form too', () => {
    const dir = write(fresh(), { 'foo.pipecd.yml': 'spec:\n  name: yml\n' });
    expect(loadExampleApp(dir, '--app')).toMatchObject({ configFilename: 'foo.pipecd.yml', appName: 'yml' });
  });

  it('prefers app.pipecd.yaml when the folder also holds another *.pipecd.yaml', () => {
    const dir = write(fresh(), { 'a.pipecd.yaml': 'spec:\n  name: a\n', 'app.pipecd.yaml': 'spec:\n  name: app\n' });
    expect(loadExampleApp(dir, '--app')).toMatchObject({ configFilename: 'app.pipecd.yaml', appName: 'app' });
  });

  it('labels the folder relative to the working folder, "." for the working folder itself', () => {
    const dir = write(fresh(), { 'app.pipecd.yaml': 'spec: {}\n' });
    expect(loadExampleApp(dir, '--app').label).toBe(path.relative(process.cwd(), dir));
    expect(path.isAbsolute(loadExampleApp(dir, '--app').label)).toBe(false);
    const cwd = process.cwd();
    process.chdir(path.dirname(dir));
    try {
      expect(loadExampleApp(dir, '--app').label).toBe(path.basename(dir));
      process.chdir(dir);
      expect(loadExampleApp(dir, '--app').label).toBe('.');
    } finally {
      process.chdir(cwd);
    }
  });

  it('finds the repository\'s .pipe/ in the parent folder', () => {
    const repo = fresh();
    mkdirSync(path.join(repo, '.pipe'));
    const dir = write(path.join(repo, 'basic'), { 'app.pipecd.yaml': 'spec: {}\n' });
    expect(loadExampleApp(dir, '--app').sharedConfigDir).toBe(path.join(repo, '.pipe'));
  });

  it('finds .pipe/ three levels up, the nearest first, and not four levels up', () => {
    const repo = fresh();
    mkdirSync(path.join(repo, '.pipe'));
    const three = write(path.join(repo, 'a', 'b', 'app'), { 'app.pipecd.yaml': 'spec: {}\n' });
    expect(loadExampleApp(three, '--app').sharedConfigDir).toBe(path.join(repo, '.pipe'));
    mkdirSync(path.join(repo, 'a', '.pipe'));
    expect(loadExampleApp(three, '--app').sharedConfigDir).toBe(path.join(repo, 'a', '.pipe'));
    const four = write(path.join(repo, 'x', 'y', 'z', 'app'), { 'app.pipecd.yaml': 'spec: {}\n' });
    expect(loadExampleApp(four, '--app').sharedConfigDir).toBeUndefined();
  });

  it('a file named .pipe is no shared config folder', () => {
    const repo = write(fresh(), { '.pipe': 'not a folder\n' });
    const dir = write(path.join(repo, 'app'), { 'app.pipecd.yaml': 'spec: {}\n' });
    expect(loadExampleApp(dir, '--app').sharedConfigDir).toBeUndefined();
  });
});

describe('loadExampleApp: errors are UsageErrors naming the flag, folder or file:line', () => {
  it('a missing folder', () => {
    const dir = path.join(fresh(), 'missing');
    expect(usageErrorOf(() => loadExampleApp(dir, '--app')).message).toBe(
      `--app ${dir}: not a folder; give the folder that holds your app.pipecd.yaml and the files it needs.`,
    );
  });

  it('a file instead of a folder', () => {
    const file = path.join(write(fresh(), { 'app.pipecd.yaml': 'spec: {}\n' }), 'app.pipecd.yaml');
    expect(usageErrorOf(() => loadExampleApp(file, 'conformance.apps')).message).toBe(
      `conformance.apps ${file}: not a folder; give the folder that holds your app.pipecd.yaml and the files it needs.`,
    );
  });

  it('a folder without a config file', () => {
    const dir = write(fresh(), { 'app.yaml': 'spec: {}\n', 'pipecd.yaml': 'spec: {}\n' });
    expect(usageErrorOf(() => loadExampleApp(dir, '--app')).message).toBe(
      `--app ${dir}: no app.pipecd.yaml (or *.pipecd.yaml) in this folder; an example application is the folder of your app as in your Git repository.`,
    );
  });

  it('two *.pipecd.yaml and no app.pipecd.yaml', () => {
    const dir = write(fresh(), { 'b.pipecd.yaml': 'spec: {}\n', 'a.pipecd.yaml': 'spec: {}\n' });
    expect(usageErrorOf(() => loadExampleApp(dir, '--app')).message).toBe(
      `--app ${dir}: several application configs (a.pipecd.yaml, b.pipecd.yaml); keep one per example folder.`,
    );
  });

  it('a config file larger than 1 MiB', () => {
    const dir = write(fresh(), { 'app.pipecd.yaml': `# ${'x'.repeat(1024 * 1024)}\nspec: {}\n` });
    expect(usageErrorOf(() => loadExampleApp(dir, '--app')).message).toBe(
      `${path.join(dir, 'app.pipecd.yaml')}: larger than 1048576 bytes; not an application config.`,
    );
  });

  it('invalid YAML gives the line of the error', () => {
    const dir = write(fresh(), { 'app.pipecd.yaml': 'kind: Application\nspec:\n  name: a\n\tplugins: {}\n' });
    const message = usageErrorOf(() => loadExampleApp(dir, '--app')).message;
    expect(message).toMatch(new RegExp(`^${escape(path.join(dir, 'app.pipecd.yaml'))}:4: not valid YAML: `));
    expect(message).toContain('Tabs are not allowed as indentation');
  });

  it('a duplicate key gives the duplicate\'s line', () => {
    const dir = write(fresh(), { 'app.pipecd.yaml': 'kind: Application\nspec: {}\nkind: Other\n' });
    expect(usageErrorOf(() => loadExampleApp(dir, '--app')).message).toBe(
      `${path.join(dir, 'app.pipecd.yaml')}:3: not valid YAML: Map keys must be unique`,
    );
  });

  it('spec not a mapping gives the line of spec\'s value', () => {
    const dir = write(fresh(), { 'app.pipecd.yaml': 'apiVersion: pipecd.dev/v1beta1\nkind: Application\nspec:\n  - name: a\n' });
    expect(usageErrorOf(() => loadExampleApp(dir, '--app')).message).toBe(
      `${path.join(dir, 'app.pipecd.yaml')}:4: spec must be a mapping (kind: Application, spec: {name, plugins, pipeline}).`,
    );
  });

  it('stages not a list gives the stages line', () => {
    const dir = write(fresh(), { 'app.pipecd.yaml': 'kind: Application\nspec:\n  pipeline:\n    stages:\n      name: REF_WAIT\n' });
    expect(usageErrorOf(() => loadExampleApp(dir, '--app')).message).toBe(
      `${path.join(dir, 'app.pipecd.yaml')}:5: spec.pipeline.stages must be a list of {name, with}.`,
    );
  });

  it('a stage without a name gives that stage\'s line and position', () => {
    const text = 'kind: Application\nspec:\n  pipeline:\n    stages:\n      - name: REF_WAIT\n      - with:\n          duration: 1s\n';
    const dir = write(fresh(), { 'app.pipecd.yaml': text });
    expect(usageErrorOf(() => loadExampleApp(dir, '--app')).message).toBe(
      `${path.join(dir, 'app.pipecd.yaml')}:6: spec.pipeline.stages[1] needs a name (the stage name, e.g. WAIT_APPROVAL).`,
    );
  });
});

/** The message parseAppConfig throws for `text` as FILE. */
const FILE = 'examples/basic/app.pipecd.yaml';
const parseError = (text: string) => usageErrorOf(() => parseAppConfig(text, FILE)).message;

describe('parseAppConfig', () => {
  it('a document that is not a mapping, or empty', () => {
    expect(parseError('# app\n- name: a\n')).toBe(`${FILE}:2: an application config is a mapping with apiVersion, kind and spec.`);
    expect(parseError('')).toBe(`${FILE}: an application config is a mapping with apiVersion, kind and spec.`);
  });

  it('spec missing, empty or a scalar', () => {
    expect(parseError('apiVersion: v\nkind: Application\n')).toBe(`${FILE}:1: spec must be a mapping (kind: Application, spec: {name, plugins, pipeline}).`);
    expect(parseError('kind: Application\nspec:\n')).toBe(`${FILE}:2: spec must be a mapping (kind: Application, spec: {name, plugins, pipeline}).`);
    expect(parseError('kind: Application\n\nspec: basic\n')).toBe(`${FILE}:3: spec must be a mapping (kind: Application, spec: {name, plugins, pipeline}).`);
  });

  it('spec.name not a string, spec.plugins not a mapping', () => {
    expect(parseError('spec:\n  name: 5\n')).toBe(`${FILE}:2: spec.name must be a string.`);
    expect(parseError('spec:\n  name: a\n  plugins: [reference-plugin]\n')).toBe(`${FILE}:3: spec.plugins must map plugin names to their settings.`);
  });

  it('stages that are a scalar, or items that are not mappings with a name', () => {
    expect(parseError('spec:\n  pipeline:\n    stages: REF_WAIT\n')).toBe(`${FILE}:3: spec.pipeline.stages must be a list of {name, with}.`);
    expect(parseError('spec:\n  pipeline:\n    stages:\n      - REF_WAIT\n')).toBe(`${FILE}:4: spec.pipeline.stages[0] needs a name (the stage name, e.g. WAIT_APPROVAL).`);
    expect(parseError('spec:\n  pipeline:\n    stages:\n      - name: A\n      - name: ""\n')).toBe(`${FILE}:5: spec.pipeline.stages[1] needs a name (the stage name, e.g. WAIT_APPROVAL).`);
  });

  it('a pipeline that is a list (stages written directly under pipeline:) gives the pipeline line', () => {
    expect(parseError('spec:\n  name: a\n  pipeline:\n    - name: REF_WAIT\n')).toBe(`${FILE}:4: spec.pipeline must be a mapping with stages (a list of {name, with}).`);
    expect(parseError('spec:\n  pipeline: REF_WAIT\n')).toBe(`${FILE}:2: spec.pipeline must be a mapping with stages (a list of {name, with}).`);
  });

  it('no pipeline, an empty pipeline and empty stages are an empty pipeline; null plugins no plugins', () => {
    expect(parseAppConfig('spec:\n  name: a\n', FILE)).toEqual({ appName: 'a', plugins: {}, pipeline: [] });
    expect(parseAppConfig('spec:\n  plugins:\n  pipeline:\n', FILE)).toEqual({ appName: undefined, plugins: {}, pipeline: [] });
    expect(parseAppConfig('spec:\n  pipeline:\n    stages:\n', FILE)).toEqual({ appName: undefined, plugins: {}, pipeline: [] });
    expect(parseAppConfig('spec:\n  pipeline: {}\n', FILE)).toEqual({ appName: undefined, plugins: {}, pipeline: [] });
  });

  it('resolves anchors and aliases in with: blocks', () => {
    const text = 'spec:\n  pipeline:\n    stages:\n      - name: A\n        with: &w {a: 1}\n      - name: B\n        with: *w\n';
    expect(parseAppConfig(text, FILE).pipeline).toEqual([
      { name: 'A', index: 0, with: { a: 1 } },
      { name: 'B', index: 1, with: { a: 1 } },
    ]);
  });
});

describe('discoverExampleApps', () => {
  it('finds app folders under examples/ up to three levels deep, sorted, ignoring hidden folders', () => {
    const target = write(fresh(), {
      'examples/zeta/app.pipecd.yaml': 'spec: {}\n',
      'examples/alpha/app.pipecd.yaml': 'spec: {}\n',
      'examples/alpha/nested/app.pipecd.yaml': 'spec: {}\n',
      'examples/group/one/foo.pipecd.yaml': 'spec: {}\n',
      'examples/group/two/deep/bar.pipecd.yml': 'spec: {}\n',
      'examples/group/two/deep/deeper/app.pipecd.yaml': 'spec: {}\n',
      'examples/a/b/c/d/app.pipecd.yaml': 'spec: {}\n',
      'examples/.hidden/app.pipecd.yaml': 'spec: {}\n',
      'examples/group/.git/app.pipecd.yaml': 'spec: {}\n',
      'examples/notes/README.md': '# no app\n',
      'testdata/other/app.pipecd.yaml': 'spec: {}\n',
    });
    expect(discoverExampleApps(target)).toEqual([
      path.join(target, 'examples/alpha'),
      path.join(target, 'examples/group/one'),
      path.join(target, 'examples/group/two/deep'),
      path.join(target, 'examples/zeta'),
    ]);
  });

  it('examples/ holding an app config itself is the one app', () => {
    const target = write(fresh(), { 'examples/app.pipecd.yaml': 'spec: {}\n', 'examples/more/app.pipecd.yaml': 'spec: {}\n' });
    expect(discoverExampleApps(target)).toEqual([path.join(target, 'examples')]);
  });

  it('falls back to testdata/ without examples/ (or when examples is a file)', () => {
    const target = write(fresh(), { 'testdata/b/app.pipecd.yaml': 'spec: {}\n', 'testdata/a/x.pipecd.yaml': 'spec: {}\n' });
    expect(discoverExampleApps(target)).toEqual([path.join(target, 'testdata/a'), path.join(target, 'testdata/b')]);
    writeFileSync(path.join(target, 'examples'), 'a file\n');
    expect(discoverExampleApps(target)).toEqual([path.join(target, 'testdata/a'), path.join(target, 'testdata/b')]);
  });

  it('an examples/ folder wins over testdata/ even when it holds no app', () => {
    const target = write(fresh(), { 'examples/README.md': '# none yet\n', 'testdata/a/app.pipecd.yaml': 'spec: {}\n' });
    expect(discoverExampleApps(target)).toEqual([]);
  });

  it('no examples/ nor testdata/ gives []', () => {
    const target = write(fresh(), { 'app.pipecd.yaml': 'spec: {}\n', 'src/main.go': 'package main\n' });
    expect(discoverExampleApps(target)).toEqual([]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
