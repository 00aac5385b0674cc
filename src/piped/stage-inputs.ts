// Which stage configs the harness plans and executes with, chosen from the user's inputs (pure). piped sends each
// stage's `with:` block from the app's pipeline, so the harness takes them from example apps and per-stage examples;
// `{}` is only its last resort, and a stage that refuses `{}` without an example is a gap in the inputs, not a
// failure of the plugin (CATALOGUE §8 items 9 and 10).
import type { AppSpec, PipelineStageSpec } from '../generate/requests.js';
import type { ExampleApp, RunInputs } from './inputs.js';

/** A pipeline stage the harness sends, with where its `with:` came from. */
export interface PlannedStageInput extends PipelineStageSpec {
  /** For messages: `app examples/basic, stage 2`, `conformance.stages.X[0] in FILE`, or the harness default. */
  source: string;
  /** True when the harness had no example and sends `{}`: a refusal is then a gap in the inputs. */
  generic: boolean;
}

/** A stage the harness had no valid config for: the plugin refused `{}` when planning it alone. */
export interface InputGap {
  stageName: string;
  /** The gRPC status name of the refusal. */
  code: string;
  /** The plugin's own message. */
  message: string;
}

export const DEFAULT_CONFIG_SOURCE = 'the harness default {} (no example given)';

export interface CandidatePipeline {
  stages: PlannedStageInput[];
  /** The user's example app the pipeline comes from (its files are checked out as they are), if any. */
  app?: AppSpec;
  /** `spec.plugins.<name>` of the first example app, for the app the harness writes itself. */
  pluginSpec?: unknown;
}

export interface PipelineChoice {
  pluginName: string;
  definedNames: string[];
  /** Defined names minus rollback-only ones: the names a user writes in a pipeline. */
  forwardNames: string[];
  inputs: RunInputs;
  /** A stage name of another plugin, for the gaps between this plugin's stages. */
  foreignStage: string;
}

/** Global pipeline indexes with gaps, as piped sends when other plugins own the stages in between (PLAN-021). */
export function spreadIndexes(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1 + Math.floor(i / 2));
}

/**
 * The pipeline to plan: the first example app whose pipeline names a stage of this plugin, exactly as written (its
 * positions are the indexes, its `with:` blocks the configs). Without one, every forward stage once, at spread
 * indexes, once per `conformance.stages` example, else once with `{}`.
 */
export function candidatePipeline(choice: PipelineChoice): CandidatePipeline {
  const defined = new Set(choice.definedNames);
  const fromApp = choice.inputs.apps.find((app) => app.pipeline.some((s) => defined.has(s.name)));
  const pluginSpec = firstPluginSpec(choice.inputs.apps, choice.pluginName);
  if (fromApp) return { stages: appStages(fromApp, defined), app: exampleAppSpec(fromApp, choice.pluginName), pluginSpec };
  // Every example of a stage becomes a pipeline entry of its own, so each is planned and executed.
  const entries = choice.forwardNames.flatMap((name) => {
    const examples = choice.inputs.stages[name] ?? [];
    return examples.length
      ? examples.map((example) => ({ name, with: example.with, source: example.source, generic: false }))
      : [{ name, with: {} as unknown, source: DEFAULT_CONFIG_SOURCE, generic: true }];
  });
  const indexes = spreadIndexes(entries.length);
  const stages = entries.map((entry, i) => ({ ...entry, index: indexes[i] }));
  // A deployment plugin's app (spec and files) matters even when its pipeline has none of this plugin's stages.
  const app = choice.inputs.apps[0];
  return { stages, ...(app ? { app: exampleAppSpec(app, choice.pluginName) } : {}), pluginSpec };
}

/** An app's pipeline stages that belong to this plugin, at their positions, with their `with:` blocks. */
function appStages(app: ExampleApp, defined: Set<string>): PlannedStageInput[] {
  return app.pipeline
    .filter((s) => defined.has(s.name))
    .map((s) => ({ name: s.name, index: s.index, with: s.with ?? {}, source: `app ${app.label}, stage ${s.index}`, generic: false }));
}

/** Every further example app whose pipeline names a stage of this plugin: each is a case of its own. */
export function otherAppPipelines(choice: PipelineChoice, primary: AppSpec | undefined): { app: AppSpec; stages: PlannedStageInput[] }[] {
  const defined = new Set(choice.definedNames);
  return choice.inputs.apps
    .filter((app) => app !== primary?.example && app.pipeline.some((s) => defined.has(s.name)))
    .map((app) => ({ app: exampleAppSpec(app, choice.pluginName), stages: appStages(app, defined) }));
}

function firstPluginSpec(apps: ExampleApp[], pluginName: string): unknown {
  return apps.find((app) => Object.hasOwn(app.plugins, pluginName))?.plugins[pluginName];
}

/** The AppSpec of a user's example app: the harness sends its config file and folder as they are. */
export function exampleAppSpec(app: ExampleApp, pluginName: string): AppSpec {
  return { pluginName, appName: app.appName, pipeline: app.pipeline.map((s) => ({ name: s.name, with: s.with })), pluginSpec: app.plugins[pluginName], example: app };
}

/** Every example `with:` for a stage name: planned pipeline entries, other apps' entries, then conformance.stages. */
export function stageExamplesOf(inputs: RunInputs, planned: PlannedStageInput[], stageName: string): { with: unknown; source: string }[] {
  const found: { with: unknown; source: string }[] = [];
  const seen = new Set<string>();
  const add = (value: unknown, source: string) => {
    const key = JSON.stringify(value ?? {});
    if (seen.has(key)) return;
    seen.add(key);
    found.push({ with: value ?? {}, source });
  };
  for (const s of planned) if (s.name === stageName && !s.generic) add(s.with, s.source);
  for (const app of inputs.apps) for (const s of app.pipeline) if (s.name === stageName) add(s.with, `app ${app.label}, stage ${s.index}`);
  for (const example of inputs.stages[stageName] ?? []) add(example.with, example.source);
  return found;
}

/**
 * Why rules that need these stages were not exercised, and the exact fix: each refusal with the plugin's own message,
 * and where to give an example.
 */
export function inputGapReason(gaps: InputGap[]): string | undefined {
  if (!gaps.length) return undefined;
  const refusals = gaps.map((g) => `stage ${g.stageName} refused \`{}\` with ${g.code} '${g.message}'`);
  const fixes = gaps.map((g) => `conformance.stages.${g.stageName}`).join(', ');
  return `${refusals.join('; ')}; give an example with --app (an app whose pipeline uses the stage) or ${fixes} in --config`;
}
