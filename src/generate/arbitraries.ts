// fast-check arbitraries for valid requests, shaped by the plugin's own facts (its stage names, its kind, its deploy
// targets) and by CATALOGUE §2.10. Generated values are plain JSON (no Buffers, no clocks, no randomness outside
// fast-check), so a seed and a path reproduce them exactly and a saved counterexample can be read back; the request
// builders below turn them into wire messages with the pure builders of requests.ts.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import * as req from './requests.js';

/** What the generators need to know about the plugin under test. */
export interface GenFacts {
  pluginName: string;
  /** Stage names the plugin accepts in a pipeline (its FetchDefinedStages names, rollback-only ones left out). */
  stageNames: string[];
  kind: 'stage' | 'deployment';
  /** Deploy target names from the plugin's `--config`. */
  deployTargets: string[];
  /**
   * The user's example `with:` blocks per stage name (example apps, conformance.stages). Generated configs of a stage
   * with examples mostly vary around them: piped sends what users write, and `{}` may not be valid for the stage.
   */
  examples?: Record<string, Record<string, unknown>[]>;
}

/** One stage of `spec.pipeline.stages` routed to this plugin, at its global index. */
export interface GeneratedStage {
  name: string;
  index: number;
  desc: string;
  timeout: string;
  /** The stage's `with:` block (a JSON object). */
  with: Record<string, unknown>;
}

/** A BuildPipelineSyncStagesRequest in plain JSON: indexes ascending, distinct, with gaps (PLAN-021). */
export interface PipelineCase {
  rollback: boolean;
  stages: GeneratedStage[];
}

/** A model.Deployment without `stages` and `status`, which depend on the phase (planning or executing). */
export type DeploymentFields = Record<string, any>;

/** An app config (`app.pipecd.yaml`) and the commit it was read at. */
export interface SourceCase {
  app: req.AppSpec;
  commit: string;
}

/** PlanPluginInput: `running` null is an app's first deployment. */
export interface PlanInputCase {
  deployment: DeploymentFields;
  target: SourceCase;
  running: SourceCase | null;
}

/** ExecuteStage of one stage from a plan the plugin builds for `pipeline` (or its quick-sync plan). */
export interface ExecutionCase {
  pipeline: PipelineCase;
  /** The pipeline stage whose planned stage is executed (its `with:` is the stage_config); null when there is none. */
  focus: number | null;
  /**
   * Which planned stage to execute: among those at the focus stage's index (non-rollback first, then rollback), or
   * for quick sync among the whole plan; `pick % count`.
   */
  pick: number;
  strategy: 'PIPELINE' | 'QUICK_SYNC';
  status: 'DEPLOYMENT_PLANNED' | 'DEPLOYMENT_RUNNING';
  running: SourceCase | null;
  target: SourceCase;
  deployment: DeploymentFields;
}

export interface LivestateCase {
  piped_id: string;
  application_id: string;
  application_name: string;
  source: SourceCase;
  deploy_targets: string[];
}

export interface PlanPreviewCase extends LivestateCase {
  running: SourceCase | null;
}

/** A stage of another plugin, filling the gaps between this plugin's stages in `spec.pipeline.stages`. */
export const FOREIGN_STAGE = 'CONFORMANCE_OTHER_PLUGIN_STAGE';

// ---- text ---------------------------------------------------------------------------------------------------

/** Printable unicode (whole graphemes, so never a lone surrogate), which proto strings must be. */
export const unicodeText = (minLength: number, maxLength: number) => fc.string({ unit: 'grapheme', minLength, maxLength });
const asciiId = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,23}$/);

/** Identifiers: mostly what piped uses (slugs, UUIDs), sometimes unicode. Never empty (PGV min_len 1). */
export const idArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: asciiId, weight: 3 },
  { arbitrary: fc.uuid(), weight: 2 },
  { arbitrary: unicodeText(1, 16), weight: 1 },
);

const textArb = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant(''), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), weight: 2 },
  { arbitrary: unicodeText(1, 40), weight: 2 },
  { arbitrary: fc.tuple(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }), fc.integer({ min: 10, max: 40 })).map(([unit, n]) => unit.repeat(n)), weight: 1 },
);
const nonEmptyText = fc.oneof(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 60 }), unicodeText(1, 60), fc.constant('line one\nline two'));
const hexCommit = fc.stringMatching(/^[0-9a-f]{40}$/);
const branchArb = fc.oneof(fc.constantFrom('main', 'master', 'release/v1.2'), asciiId, unicodeText(1, 12));

/** Unix seconds as a decimal string (int64 on the wire), >= `min`; rarely the int64 maximum. */
function secondsArb(min: 0 | 1): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.integer({ min: Math.max(min, 1_500_000_000), max: 4_102_444_800 }).map(String), weight: 8 },
    { arbitrary: fc.integer({ min, max: 1_000 }).map(String), weight: 1 },
    { arbitrary: fc.constant('9223372036854775807'), weight: 1 },
  );
}

// ---- stage configs ------------------------------------------------------------------------------------------

/** Object keys: identifiers, unicode (non-ASCII), and the empty key. */
const keyArb = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,11}$/), weight: 3 },
  { arbitrary: unicodeText(1, 8), weight: 3 },
  { arbitrary: fc.constant(''), weight: 1 },
);
const leafArb = fc.oneof(
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.constant(null),
);
const nestedArb = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(keyArb, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;
/** Large-ish values, built from a few random choices (size matters here, not the randomness of every character). */
const largeArb = fc.oneof(
  fc.tuple(unicodeText(1, 12), fc.integer({ min: 200, max: 600 })).map(([unit, n]) => unit.repeat(n)),
  fc.tuple(fc.integer(), fc.integer({ min: 100, max: 300 })).map(([start, n]) => Array.from({ length: n }, (_, i) => (start + i * 7919) | 0)),
  fc.tuple(asciiId, fc.integer({ min: 30, max: 60 })).map(([prefix, n]) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, `value ${i}`]))),
);

/** A value in a stage config: a leaf, something nested, or now and then something large-ish; shrinks toward a leaf. */
function configValueArb(large: boolean): fc.Arbitrary<unknown> {
  const largeBranch = large ? [{ arbitrary: largeArb as fc.Arbitrary<unknown>, weight: 1 }] : [];
  return fc.oneof({ withCrossShrink: true }, { arbitrary: leafArb as fc.Arbitrary<unknown>, weight: 10 }, { arbitrary: nestedArb, weight: 8 }, ...largeBranch);
}

/** Keys and values vary apart, so a failure caused by a key shrinks to that key with a plain value (and back). */
function configArb(large: boolean): fc.Arbitrary<Record<string, unknown>> {
  const entries = fc.dictionary(keyArb, configValueArb(large), { minKeys: 1, maxKeys: 5, noNullPrototype: true });
  return fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant({}), weight: 1 }, { arbitrary: entries, weight: 4 }) as fc.Arbitrary<Record<string, unknown>>;
}

/** A stage's `with:` block as JSON: empty, flat, nested, or large-ish; keys in any script. */
export const stageConfigArb: fc.Arbitrary<Record<string, unknown>> = configArb(true);

/** The same without the large-ish shapes, for app configs whose stages are not the ones under test. */
const smallStageConfigArb = configArb(false);

// ---- pipelines ----------------------------------------------------------------------------------------------

/** `timeout` is always "" from piped at HEAD (CATALOGUE §2.4); older pipeds sent durations. */
const timeoutArb = fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(''), weight: 4 }, { arbitrary: fc.constantFrom('10s', '1m30s', '6h'), weight: 1 });

/** A pipeline stage before its index is known: `gap` other plugins' stages come before it. */
type StageDraft = Omit<GeneratedStage, 'index'> & { gap: number };

function stageDraftArb(facts: GenFacts, config = stageConfigArb): fc.Arbitrary<StageDraft> {
  const byName = (name: string) => {
    const examples = facts.examples?.[name] ?? [];
    return examples.length ? fc.oneof({ arbitrary: exampleVariantArb(examples), weight: 3 }, { arbitrary: config, weight: 1 }) : config;
  };
  return fc
    .constantFrom(...facts.stageNames)
    .chain((name) => fc.record({ name: fc.constant(name), gap: fc.nat({ max: 3 }), desc: textArb, timeout: timeoutArb, with: byName(name) }));
}

/**
 * A user's example, varied the ways piped's users vary what they write without changing its meaning: its keys in
 * another order, and unknown fields (unicode keys and values among them) added beside the real ones.
 */
export function exampleVariantArb(examples: Record<string, unknown>[]): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      example: fc.constantFrom(...examples),
      order: fc.array(fc.nat(), { maxLength: 8 }),
      extra: fc.dictionary(keyArb, configValueArb(false), { maxKeys: 3, noNullPrototype: true }),
    })
    .map(({ example, order, extra }) => {
      const keys = Object.keys(example);
      // Each number swaps one key with another: any order of the keys is reachable, and no swaps shrink to the original.
      for (const [i, n] of order.entries()) {
        const a = i % Math.max(keys.length, 1);
        const b = n % Math.max(keys.length, 1);
        [keys[a], keys[b]] = [keys[b], keys[a]];
      }
      const varied: Record<string, unknown> = {};
      for (const key of keys) varied[key] = example[key];
      for (const [key, value] of Object.entries(extra)) if (!Object.hasOwn(example, key)) varied[`x-conformance-${key}`] = value;
      return varied;
    });
}

/** Stage lists from the plugin's own names with ascending, distinct, often non-contiguous indexes. */
export function pipelineCaseArb(facts: GenFacts, options: { maxStages?: number; small?: boolean } = {}): fc.Arbitrary<PipelineCase> {
  const draft = stageDraftArb(facts, options.small ? smallStageConfigArb : stageConfigArb);
  const stages = facts.stageNames.length ? fc.array(draft, { maxLength: options.maxStages ?? 6 }) : fc.constant([] as StageDraft[]);
  return fc.record({ rollback: fc.boolean(), stages }).map(({ rollback, stages: drafts }) => ({ rollback, stages: withIndexes(drafts) }));
}

/** Turns gaps into global indexes: the first index is its gap, each next one is 1 + gap after the previous. */
function withIndexes(drafts: readonly StageDraft[]): GeneratedStage[] {
  let previous = -1;
  return drafts.map(({ gap, ...stage }) => {
    previous += 1 + gap;
    return { name: stage.name, index: previous, desc: stage.desc, timeout: stage.timeout, with: stage.with };
  });
}

/** The app config's pipeline: this plugin's stages at their indexes, another plugin's stage in every gap. */
export function pipelineApp(pluginName: string, stages: GeneratedStage[], appName?: string): req.AppSpec {
  const length = stages.length ? Math.max(...stages.map((s) => s.index)) + 1 : 0;
  const pipeline: { name: string; with?: unknown }[] = Array.from({ length }, () => ({ name: FOREIGN_STAGE }));
  for (const s of stages) pipeline[s.index] = { name: s.name, with: s.with };
  return { pluginName, appName, pipeline };
}

// ---- deployments and sources --------------------------------------------------------------------------------

const APPLICATION_KINDS = ['KUBERNETES', 'TERRAFORM', 'LAMBDA', 'CLOUDRUN', 'ECS'];
const ARTIFACT_KINDS = ['UNKNOWN', 'CONTAINER_IMAGE', 'S3_OBJECT', 'GIT_SOURCE', 'TERRAFORM_MODULE'];

/** `^[^/].+$`: relative, at least two characters, no newline. */
const gitPathArb = fc
  .array(fc.stringMatching(/^[a-zA-Z0-9._-]{2,10}$/), { minLength: 1, maxLength: 4 })
  .map((segments) => segments.join('/'));

/** Deploy targets: a deployment plugin gets a non-empty subset of its configured targets; a stage plugin none. */
function ownTargetsArb(facts: GenFacts): fc.Arbitrary<string[] | null> {
  if (facts.kind === 'stage' || facts.deployTargets.length === 0) return fc.constant(null);
  return fc.subarray(facts.deployTargets, { minLength: 1 });
}

/** Entries of other plugins in `deploy_targets_by_plugin`, which this plugin must ignore. */
function otherTargetsArb(facts: GenFacts): fc.Arbitrary<Record<string, { deploy_targets: string[] }>> {
  const name = asciiId.filter((n) => n !== facts.pluginName);
  return fc.dictionary(name, fc.record({ deploy_targets: fc.array(idArb, { maxLength: 3 }) }), { maxKeys: 2, noNullPrototype: true });
}

/** A model.Deployment's fields other than `stages` and `status`; valid under every PGV rule (CATALOGUE §2.10). */
export function deploymentFieldsArb(facts: GenFacts, phase: 'plan' | 'execute'): fc.Arbitrary<DeploymentFields> {
  return fc
    .record({
      id: idArb,
      application_id: idArb,
      application_name: idArb,
      piped_id: idArb,
      project_id: idArb,
      kind: fc.constantFrom(...APPLICATION_KINDS),
      repo: fc.record({ id: idArb, remote: fc.constantFrom('https://example.invalid/repo.git', 'git@example.invalid:org/repo.git', ''), branch: branchArb }),
      path: gitPathArb,
      own: ownTargetsArb(facts),
      others: otherTargetsArb(facts),
      labels: fc.dictionary(asciiId, textArb, { maxKeys: 3, noNullPrototype: true }),
      commit: fc.record({ hash: fc.oneof(hexCommit, idArb), message: nonEmptyText, author: idArb, branch: branchArb, created_at: secondsArb(1) }),
      commander: fc.oneof(fc.constant(''), idArb),
      timestamp: secondsArb(1),
      shared: fc.dictionary(asciiId, textArb, { maxKeys: 3, noNullPrototype: true }),
      versions: phase === 'plan' ? fc.constant([]) : fc.array(fc.record({ kind: fc.constantFrom(...ARTIFACT_KINDS), version: textArb, name: textArb, url: textArb }), { maxLength: 2 }),
      created_at: secondsArb(0),
      updated_at: secondsArb(0),
      summary: textArb,
    })
    .map((d) => ({
      id: d.id,
      application_id: d.application_id,
      application_name: d.application_name,
      piped_id: d.piped_id,
      project_id: d.project_id,
      kind: d.kind,
      git_path: { repo: d.repo, path: d.path, config_filename: req.APP_CONFIG_FILENAME, url: '' },
      deploy_targets_by_plugin: { ...d.others, ...(d.own ? { [facts.pluginName]: { deploy_targets: d.own } } : {}) },
      labels: d.labels,
      trigger: { commit: d.commit, commander: d.commander, timestamp: d.timestamp, sync_strategy: 'AUTO', strategy_summary: '' },
      summary: d.summary,
      versions: d.versions,
      metadata_v2: { shared: { keyValues: d.shared }, plugins: {} },
      created_at: d.created_at,
      updated_at: d.updated_at,
      completed_at: '0',
    }));
}

/** An app config with this plugin's section and, usually, a pipeline built from the plugin's own stage names. */
export function sourceCaseArb(facts: GenFacts): fc.Arbitrary<SourceCase> {
  return fc
    .record({ appName: idArb, pipeline: fc.option(pipelineCaseArb(facts, { maxStages: 4, small: true }), { nil: null, freq: 4 }), commit: hexCommit })
    .map(({ appName, pipeline, commit }) => ({
      app: pipeline ? pipelineApp(facts.pluginName, pipeline.stages, appName) : { pluginName: facts.pluginName, appName },
      commit,
    }));
}

// Fields that usually decide an answer come first: fast-check shrinks a record's fields in order, and a shrink step
// that needs a plugin restart (after a crash) or a hang budget is expensive, so it should not go to bystanders.

export function planInputCaseArb(facts: GenFacts): fc.Arbitrary<PlanInputCase> {
  return fc.record({ target: sourceCaseArb(facts), running: fc.option(sourceCaseArb(facts), { nil: null }), deployment: deploymentFieldsArb(facts, 'plan') });
}

/**
 * The pipeline is generated around the executed stage (stages before it, the stage, stages after it), so shrinking
 * can drop every other stage without changing which stage runs with which config.
 */
export function executionCaseArb(facts: GenFacts): fc.Arbitrary<ExecutionCase> {
  const hasStages = facts.stageNames.length > 0;
  const others = hasStages ? fc.array(stageDraftArb(facts, smallStageConfigArb), { maxLength: 3 }) : fc.constant([] as StageDraft[]);
  return fc
    .record({
      before: others,
      after: others,
      stage: hasStages ? stageDraftArb(facts) : fc.constant(null),
      rollback: fc.boolean(),
      pick: fc.nat({ max: 3 }),
      strategy: fc.oneof({ arbitrary: fc.constant('PIPELINE' as const), weight: 4 }, { arbitrary: fc.constant('QUICK_SYNC' as const), weight: 1 }),
      status: fc.constantFrom('DEPLOYMENT_PLANNED' as const, 'DEPLOYMENT_RUNNING' as const),
      running: fc.option(sourceCaseArb(facts), { nil: null }),
      target: fc.record({ appName: idArb, commit: hexCommit }),
      deployment: deploymentFieldsArb(facts, 'execute'),
    })
    .map(({ before, after, stage, rollback, target, ...rest }) => {
      const stages = withIndexes(stage ? [...before, stage, ...after] : []);
      // The target commit's app config holds this very pipeline: stage_config is read from it (CATALOGUE §2.6).
      const app = pipelineApp(facts.pluginName, stages, target.appName);
      return { pipeline: { rollback, stages }, focus: stage ? before.length : null, ...rest, target: { app, commit: target.commit } };
    });
}

/** Deploy targets for live state and plan preview: configured names, possibly none (piped sends what it has). */
function requestTargetsArb(facts: GenFacts): fc.Arbitrary<string[]> {
  return facts.deployTargets.length ? fc.subarray(facts.deployTargets) : fc.constant([]);
}

export function livestateCaseArb(facts: GenFacts): fc.Arbitrary<LivestateCase> {
  return fc.record({ piped_id: idArb, application_id: idArb, application_name: idArb, source: sourceCaseArb(facts), deploy_targets: requestTargetsArb(facts) });
}

export function planPreviewCaseArb(facts: GenFacts): fc.Arbitrary<PlanPreviewCase> {
  return fc.record({
    piped_id: idArb,
    application_id: idArb,
    application_name: idArb,
    source: sourceCaseArb(facts),
    running: fc.option(sourceCaseArb(facts), { nil: null }),
    deploy_targets: requestTargetsArb(facts),
  });
}

// ---- request builders ---------------------------------------------------------------------------------------

/** Where a source's files live; the suites pass the session workspace, pure callers a fixed placeholder. */
export type CheckoutOf = (app: req.AppSpec, commit: string) => req.Checkout;

/** A fixed, file-less checkout for printing requests (the same text every run, so counterexamples compare). */
export const PLACEHOLDER_CHECKOUT: CheckoutOf = () => ({ applicationDirectory: '<checkout>/' + req.APP_PATH, sharedConfigDirectory: '<checkout>/.pipe' });

export function deploymentSourceOf(source: SourceCase, checkout: CheckoutOf): any {
  return req.deploymentSource(source.app, source.commit, checkout(source.app, source.commit));
}

/** model.Deployment from generated fields: the builder's shape, every generated field laid over it. */
export function deploymentOf(fields: DeploymentFields, pluginName: string, extra: { stages?: any[]; status?: string; syncStrategy?: string } = {}): any {
  const base = req.deployment({ ids: { deploymentId: fields.id, applicationId: fields.application_id }, pluginName, stages: extra.stages, status: extra.status });
  return { ...base, ...fields, trigger: { ...fields.trigger, sync_strategy: extra.syncStrategy ?? fields.trigger.sync_strategy }, stages: base.stages, status: base.status };
}

export function pipelineRequestOf(pipeline: PipelineCase): any {
  return req.pipelineRequest(pipeline.stages, pipeline.rollback);
}

export function planInputOf(c: PlanInputCase, pluginName: string, checkout: CheckoutOf): any {
  return {
    deployment: deploymentOf(c.deployment, pluginName),
    running_deployment_source: c.running ? deploymentSourceOf(c.running, checkout) : null,
    target_deployment_source: deploymentSourceOf(c.target, checkout),
  };
}

export function livestateRequestOf(c: LivestateCase, pluginName: string, checkout: CheckoutOf): any {
  const base = req.livestateRequest({ applicationId: c.application_id }, { pluginName, appName: c.application_name }, c.deploy_targets, deploymentSourceOf(c.source, checkout));
  return { ...base, piped_id: c.piped_id };
}

export function planPreviewRequestOf(c: PlanPreviewCase, pluginName: string, checkout: CheckoutOf): any {
  const sources = { target: deploymentSourceOf(c.source, checkout), running: c.running ? deploymentSourceOf(c.running, checkout) : null };
  const base = req.planPreviewRequest({ applicationId: c.application_id }, { pluginName, appName: c.application_name }, c.deploy_targets, sources);
  return { ...base, piped_id: c.piped_id };
}

/** A stable UUID-shaped id for the `n`th planned stage of a deployment (piped assigns random UUIDs). */
export function stageIdFor(deploymentId: string, n: number): string {
  const hex = createHash('sha256').update(`${deploymentId}\u0000${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The execution a case describes, once the plugin has answered its plan; undefined when there is nothing to run. */
export interface PlannedExecution {
  request: any;
  stage: any;
  /** The `with:` of `spec.pipeline.stages[stage.index]`; undefined for quick sync (empty `stage_config`). */
  stageConfig: Record<string, unknown> | undefined;
}

/**
 * ExecuteStageRequest for the stage the case picks from `plan` (the plugin's own Build*SyncStages answer), with ids
 * and `requires` assigned as piped does. Undefined when the plan has no stage at the focus stage's index.
 */
export function plannedExecution(c: ExecutionCase, plan: any[], pluginName: string, checkout: CheckoutOf): PlannedExecution | undefined {
  let n = 0;
  const stages = req.assignStageIds(plan, () => stageIdFor(c.deployment.id, n++));
  const focus = c.strategy === 'PIPELINE' ? (c.focus === null ? undefined : c.pipeline.stages[c.focus]) : undefined;
  if (c.strategy === 'PIPELINE' && !focus) return undefined;
  // assignStageIds put forward stages first, so at one index the non-rollback stage comes before rollback ones.
  const candidates = focus ? stages.filter((s) => Number(s.index ?? 0) === focus.index) : stages;
  if (!candidates.length) return undefined;
  const stage = candidates[c.pick % candidates.length];
  const stageConfig = focus?.with;
  const dep = deploymentOf(c.deployment, pluginName, { stages, status: c.status, syncStrategy: c.strategy });
  const sources = { target: deploymentSourceOf(c.target, checkout), running: c.running ? deploymentSourceOf(c.running, checkout) : null };
  return { request: req.executeRequest(dep, stage, stageConfig, sources.target, sources.running), stage, stageConfig };
}
