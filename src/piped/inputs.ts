// Real inputs for plugins that need configuration: example applications (a folder laid out as in the user's Git
// repository, holding an app.pipecd.yaml or *.pipecd.yaml) and per-stage example `with:` blocks. Loaded once, before
// the plugin starts; every problem is a UsageError naming the file and line (exit 2). Serialisable: the run spec
// carries the result to the suites.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { UsageError } from '../errors.js';

/** One stage of an example app's `spec.pipeline.stages`, at its position (piped's global stage index). */
export interface ExampleStage {
  name: string;
  index: number;
  /** The stage's `with:` block; undefined when the stage has none. */
  with?: unknown;
}

/** An example application, as piped would check it out. */
export interface ExampleApp {
  /** For messages: the folder as the user named it. */
  label: string;
  /** Absolute folder copied into each checkout as the application directory. */
  dir: string;
  /** The application config file's name inside `dir` (git_path.config_filename). */
  configFilename: string;
  /** The config file's text, sent as DeploymentSource.application_config. */
  configText: string;
  /** Absolute `.pipe/` folder of the example's repository, when it has one. */
  sharedConfigDir?: string;
  appName?: string;
  pipeline: ExampleStage[];
  /** `spec.plugins` as written: plugin name → that plugin's app-level spec. */
  plugins: Record<string, unknown>;
}

/** An example `with:` block for a stage, and where it came from (for messages). */
export interface StageExample {
  with: unknown;
  source: string;
}

/** Everything the user gave the harness to drive a plugin that needs configuration. */
export interface RunInputs {
  apps: ExampleApp[];
  /** Stage name → examples from `conformance.stages` of the --config file. */
  stages: Record<string, StageExample[]>;
}

export const NO_INPUTS: RunInputs = { apps: [], stages: {} };

/** Folders of a folder target that hold example apps (first found wins). */
const EXAMPLE_FOLDERS = ['examples', 'testdata'];
/** How deep below an examples folder app folders are looked for. */
const SCAN_DEPTH = 3;
/** Config files larger than this are not an application config. */
const MAX_CONFIG_BYTES = 1024 * 1024;

const isAppConfigFile = (name: string) => name === 'app.pipecd.yaml' || name.endsWith('.pipecd.yaml') || name.endsWith('.pipecd.yml');

/** App folders under a folder target's examples/ (or testdata/): every folder holding a *.pipecd.yaml. */
export function discoverExampleApps(targetFolder: string): string[] {
  for (const name of EXAMPLE_FOLDERS) {
    const root = path.join(targetFolder, name);
    if (existsSync(root) && statSync(root).isDirectory()) return appFoldersUnder(root, SCAN_DEPTH).sort();
  }
  return [];
}

function appFoldersUnder(dir: string, depth: number): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.some((e) => !e.isDirectory() && isAppConfigFile(e.name))) return [dir];
  if (depth === 0) return [];
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).flatMap((e) => appFoldersUnder(path.join(dir, e.name), depth - 1));
}

/** Loads the example app in `dir`; `flag` names where the user gave it (`--app`, `conformance.apps`, `examples/`). */
export function loadExampleApp(dir: string, flag: string): ExampleApp {
  const where = `${flag} ${dir}`;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${where}: not a folder; give the folder that holds your app.pipecd.yaml and the files it needs.`);
  const configs = readdirSync(dir, { withFileTypes: true }).filter((e) => !e.isDirectory() && isAppConfigFile(e.name)).map((e) => e.name).sort();
  if (!configs.length) throw new UsageError(`${where}: no app.pipecd.yaml (or *.pipecd.yaml) in this folder; an example application is the folder of your app as in your Git repository.`);
  if (configs.length > 1 && !configs.includes('app.pipecd.yaml')) throw new UsageError(`${where}: several application configs (${configs.join(', ')}); keep one per example folder.`);
  const configFilename = configs.includes('app.pipecd.yaml') ? 'app.pipecd.yaml' : configs[0];
  const file = path.join(dir, configFilename);
  if (statSync(file).size > MAX_CONFIG_BYTES) throw new UsageError(`${file}: larger than ${MAX_CONFIG_BYTES} bytes; not an application config.`);
  const configText = readFileSync(file, 'utf8');
  return { label: path.relative(process.cwd(), dir) || '.', dir, configFilename, configText, sharedConfigDir: sharedConfigDirOf(dir), ...parseAppConfig(configText, file) };
}

/** piped's shared configuration folder `.pipe/` at the repository root: looked for in the app folder's parents. */
function sharedConfigDirOf(dir: string): string | undefined {
  for (let up = path.dirname(dir), i = 0; i < SCAN_DEPTH; up = path.dirname(up), i += 1) {
    const candidate = path.join(up, '.pipe');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    if (path.dirname(up) === up) break;
  }
  return undefined;
}

/** The parts of an application config the harness uses; errors name `file:line`. */
export function parseAppConfig(text: string, file: string): Pick<ExampleApp, 'appName' | 'pipeline' | 'plugins'> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (node: unknown) => {
    const offset = (node as { range?: number[] } | null | undefined)?.range?.[0];
    return offset === undefined ? file : `${file}:${lines.linePos(offset).line}`;
  };
  if (doc.errors.length) throw new UsageError(`${file}:${lines.linePos(doc.errors[0].pos[0]).line}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  if (!isMap(doc.contents)) throw new UsageError(`${at(doc.contents)}: an application config is a mapping with apiVersion, kind and spec.`);
  const spec = doc.get('spec', true);
  if (!isMap(spec)) throw new UsageError(`${at(spec ?? doc.contents)}: spec must be a mapping (kind: Application, spec: {name, plugins, pipeline}).`);
  const value = doc.toJS({ maxAliasCount: 100 }) as { spec: Record<string, unknown> };
  const { name, plugins, pipeline } = value.spec;
  if (name !== undefined && typeof name !== 'string') throw new UsageError(`${at(spec.get('name', true))}: spec.name must be a string.`);
  if (plugins !== undefined && plugins !== null && (typeof plugins !== 'object' || Array.isArray(plugins))) throw new UsageError(`${at(spec.get('plugins', true))}: spec.plugins must map plugin names to their settings.`);
  return { appName: name, plugins: (plugins ?? {}) as Record<string, unknown>, pipeline: readPipeline(spec.get('pipeline', true), doc.getIn(['spec', 'pipeline', 'stages'], true), pipeline, at) };
}

function readPipeline(pipelineNode: unknown, node: unknown, raw: unknown, at: (node: unknown) => string): ExampleStage[] {
  if (raw === undefined || raw === null) return [];
  // A list here (stages written directly under pipeline:) is refused by piped; silently ignoring it would test `{}`.
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${at(pipelineNode)}: spec.pipeline must be a mapping with stages (a list of {name, with}).`);
  const stages = (raw as { stages?: unknown }).stages;
  // An empty `stages:` is an empty pipeline to piped.
  if (stages === undefined || stages === null) return [];
  if (!Array.isArray(stages) || !isSeq(node)) throw new UsageError(`${at(node)}: spec.pipeline.stages must be a list of {name, with}.`);
  return stages.map((stage, index) => {
    const item = node.items[index];
    if (typeof stage !== 'object' || stage === null || typeof (stage as { name?: unknown }).name !== 'string' || !(stage as { name: string }).name) {
      throw new UsageError(`${at(item)}: spec.pipeline.stages[${index}] needs a name (the stage name, e.g. WAIT_APPROVAL).`);
    }
    const { name, with: options } = stage as { name: string; with?: unknown };
    return { name, index, ...(options === undefined ? {} : { with: options }) };
  });
}
