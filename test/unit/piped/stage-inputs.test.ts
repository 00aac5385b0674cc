// Which stage configs the harness plans with: an example app's pipeline as written, else conformance.stages examples at
// spread indexes, else `{}` (a refusal of which is a gap in the inputs). Pure functions over loaded inputs.
import { describe, expect, it } from 'vitest';
import type { ExampleApp, RunInputs } from '../../../src/piped/inputs.js';
import {
  candidatePipeline,
  DEFAULT_CONFIG_SOURCE,
  exampleAppSpec,
  inputGapReason,
  otherAppPipelines,
  spreadIndexes,
  stageExamplesOf,
  type PipelineChoice,
  type PlannedStageInput,
} from '../../../src/piped/stage-inputs.js';

const PLUGIN = 'reference-plugin';

function exampleApp(label: string, pipeline: ExampleApp['pipeline'], plugins: Record<string, unknown> = {}): ExampleApp {
  return { label, dir: `/repo/${label}`, configFilename: 'app.pipecd.yaml', configText: `# ${label}\n`, appName: label.split('/').pop(), pipeline, plugins };
}

function choice(inputs: Partial<RunInputs>, overrides: Partial<PipelineChoice> = {}): PipelineChoice {
  return {
    pluginName: PLUGIN,
    definedNames: ['REF_WAIT', 'REF_APPROVAL', 'REF_ROLLBACK'],
    forwardNames: ['REF_WAIT', 'REF_APPROVAL'],
    inputs: { apps: [], stages: {}, ...inputs },
    foreignStage: 'CONFORMANCE_OTHER_PLUGIN_STAGE',
    ...overrides,
  };
}

/** A deployment plugin's app: its pipeline has no stage of the reference plugin. */
const syncOnly = exampleApp('examples/sync', [{ name: 'K8S_SYNC', index: 0 }], { kubernetes: { manifests: ['a.yaml'] } });

/** Uses the reference plugin's stages between other plugins' stages. */
const mixed = exampleApp(
  'examples/mixed',
  [
    { name: 'K8S_CANARY_ROLLOUT', index: 0, with: { replicas: '10%' } },
    { name: 'REF_WAIT', index: 1, with: { duration: '2s' } },
    { name: 'K8S_PRIMARY_ROLLOUT', index: 2 },
    { name: 'REF_APPROVAL', index: 3, with: { approvers: ['alice'] } },
    { name: 'REF_WAIT', index: 4 },
  ],
  { [PLUGIN]: { replicas: 2 }, kubernetes: {} },
);

describe('spreadIndexes', () => {
  it('leaves a gap after every second index, starting at 1', () => {
    expect(spreadIndexes(0)).toEqual([]);
    expect(spreadIndexes(1)).toEqual([1]);
    expect(spreadIndexes(6)).toEqual([1, 2, 4, 5, 7, 8]);
  });
});

describe('candidatePipeline', () => {
  it('takes exactly this plugin\'s stages of the first app that names one, at their positions with their with: blocks', () => {
    const candidate = candidatePipeline(choice({ apps: [syncOnly, mixed], stages: { REF_WAIT: [{ with: { duration: '9s' }, source: 'conformance.stages.REF_WAIT[0] in c.yaml' }] } }));
    expect(candidate.stages).toEqual([
      { name: 'REF_WAIT', index: 1, with: { duration: '2s' }, source: 'app examples/mixed, stage 1', generic: false },
      { name: 'REF_APPROVAL', index: 3, with: { approvers: ['alice'] }, source: 'app examples/mixed, stage 3', generic: false },
      { name: 'REF_WAIT', index: 4, with: {}, source: 'app examples/mixed, stage 4', generic: false },
    ]);
    expect(candidate.app).toEqual({
      pluginName: PLUGIN,
      appName: 'mixed',
      pipeline: [
        { name: 'K8S_CANARY_ROLLOUT', with: { replicas: '10%' } },
        { name: 'REF_WAIT', with: { duration: '2s' } },
        { name: 'K8S_PRIMARY_ROLLOUT', with: undefined },
        { name: 'REF_APPROVAL', with: { approvers: ['alice'] } },
        { name: 'REF_WAIT', with: undefined },
      ],
      pluginSpec: { replicas: 2 },
      example: mixed,
    });
    expect(candidate.app?.example).toBe(mixed);
    expect(candidate.pluginSpec).toEqual({ replicas: 2 });
  });

  it('an app stage of a rollback-only (defined, not forward) name is kept as written', () => {
    const app = exampleApp('examples/rb', [{ name: 'REF_ROLLBACK', index: 0, with: { x: 1 } }]);
    expect(candidatePipeline(choice({ apps: [app] })).stages).toEqual([
      { name: 'REF_ROLLBACK', index: 0, with: { x: 1 }, source: 'app examples/rb, stage 0', generic: false },
    ]);
  });

  it('without an app, one entry per conformance.stages example at spread indexes, forward stages only, in forward order', () => {
    const stages = {
      REF_APPROVAL: [
        { with: { approvers: ['alice'] }, source: 'conformance.stages.REF_APPROVAL[0] in c.yaml' },
        { with: { approvers: ['bob'], minApproverNum: 1 }, source: 'conformance.stages.REF_APPROVAL[1] in c.yaml' },
      ],
      REF_WAIT: [{ with: { duration: '1s' }, source: 'conformance.stages.REF_WAIT[0] in c.yaml' }],
      REF_ROLLBACK: [{ with: { y: 1 }, source: 'conformance.stages.REF_ROLLBACK[0] in c.yaml' }],
      OTHER: [{ with: { z: 1 }, source: 'conformance.stages.OTHER[0] in c.yaml' }],
    };
    expect(candidatePipeline(choice({ stages }))).toEqual({
      stages: [
        { name: 'REF_WAIT', index: 1, with: { duration: '1s' }, source: 'conformance.stages.REF_WAIT[0] in c.yaml', generic: false },
        { name: 'REF_APPROVAL', index: 2, with: { approvers: ['alice'] }, source: 'conformance.stages.REF_APPROVAL[0] in c.yaml', generic: false },
        { name: 'REF_APPROVAL', index: 4, with: { approvers: ['bob'], minApproverNum: 1 }, source: 'conformance.stages.REF_APPROVAL[1] in c.yaml', generic: false },
      ],
      pluginSpec: undefined,
    });
  });

  it('a stage without examples gets `{}` from the harness default among stages with examples', () => {
    const stages = { REF_APPROVAL: [{ with: { approvers: ['alice'] }, source: 'conformance.stages.REF_APPROVAL[0] in c.yaml' }] };
    expect(candidatePipeline(choice({ stages })).stages).toEqual([
      { name: 'REF_WAIT', index: 1, with: {}, source: DEFAULT_CONFIG_SOURCE, generic: true },
      { name: 'REF_APPROVAL', index: 2, with: { approvers: ['alice'] }, source: 'conformance.stages.REF_APPROVAL[0] in c.yaml', generic: false },
    ]);
  });

  it('no examples at all: every forward stage once with `{}`, generic, the harness default source, no app', () => {
    const candidate = candidatePipeline(choice({}, { forwardNames: ['A', 'B', 'C'], definedNames: ['A', 'B', 'C'] }));
    expect(candidate).toEqual({
      stages: [
        { name: 'A', index: 1, with: {}, source: DEFAULT_CONFIG_SOURCE, generic: true },
        { name: 'B', index: 2, with: {}, source: DEFAULT_CONFIG_SOURCE, generic: true },
        { name: 'C', index: 4, with: {}, source: DEFAULT_CONFIG_SOURCE, generic: true },
      ],
      pluginSpec: undefined,
    });
    expect('app' in candidate).toBe(false);
    expect(DEFAULT_CONFIG_SOURCE).toBe('the harness default {} (no example given)');
  });

  it('no forward stages: an empty pipeline', () => {
    expect(candidatePipeline(choice({}, { forwardNames: [] })).stages).toEqual([]);
  });

  it('an app without this plugin\'s stages (a deployment plugin\'s app): the harness pipeline, but that app is the app', () => {
    const other = exampleApp('examples/other', [], { [PLUGIN]: { from: 'other' } });
    const stages = { REF_WAIT: [{ with: { duration: '1s' }, source: 'conformance.stages.REF_WAIT[0] in c.yaml' }] };
    const candidate = candidatePipeline(choice({ apps: [syncOnly, other], stages }));
    expect(candidate.stages).toEqual([
      { name: 'REF_WAIT', index: 1, with: { duration: '1s' }, source: 'conformance.stages.REF_WAIT[0] in c.yaml', generic: false },
      { name: 'REF_APPROVAL', index: 2, with: {}, source: DEFAULT_CONFIG_SOURCE, generic: true },
    ]);
    expect(candidate.app).toEqual({
      pluginName: PLUGIN,
      appName: 'sync',
      pipeline: [{ name: 'K8S_SYNC', with: undefined }],
      pluginSpec: undefined,
      example: syncOnly,
    });
    expect(candidate.app?.example).toBe(syncOnly);
    // The plugin's app-level spec comes from the first app that has one.
    expect(candidate.pluginSpec).toEqual({ from: 'other' });
  });
});

describe('exampleAppSpec', () => {
  it('carries the app name, pipeline, this plugin\'s spec and the example itself', () => {
    expect(exampleAppSpec(mixed, 'kubernetes')).toEqual({
      pluginName: 'kubernetes',
      appName: 'mixed',
      pipeline: mixed.pipeline.map((s) => ({ name: s.name, with: s.with })),
      pluginSpec: {},
      example: mixed,
    });
  });
});

function planned(name: string, index: number, value: unknown, source: string, generic = false): PlannedStageInput {
  return { name, index, with: value, source, generic };
}

describe('stageExamplesOf', () => {
  it('orders planned entries, then other apps\' stages, then conformance.stages; drops other stage names', () => {
    const inputs: RunInputs = {
      apps: [mixed, exampleApp('examples/second', [{ name: 'REF_WAIT', index: 2, with: { duration: '5s' } }])],
      stages: {
        REF_WAIT: [{ with: { duration: '7s' }, source: 'conformance.stages.REF_WAIT[0] in c.yaml' }],
        REF_APPROVAL: [{ with: { approvers: ['zed'] }, source: 'conformance.stages.REF_APPROVAL[0] in c.yaml' }],
      },
    };
    const plan = [planned('REF_WAIT', 1, { duration: '3s' }, 'planned source'), planned('REF_APPROVAL', 2, { approvers: ['x'] }, 'approval source')];
    expect(stageExamplesOf(inputs, plan, 'REF_WAIT')).toEqual([
      { with: { duration: '3s' }, source: 'planned source' },
      { with: { duration: '2s' }, source: 'app examples/mixed, stage 1' },
      { with: {}, source: 'app examples/mixed, stage 4' },
      { with: { duration: '5s' }, source: 'app examples/second, stage 2' },
      { with: { duration: '7s' }, source: 'conformance.stages.REF_WAIT[0] in c.yaml' },
    ]);
  });

  it('keeps the first of identical configs; a missing with: equals `{}`', () => {
    const inputs: RunInputs = {
      apps: [mixed],
      stages: {
        REF_WAIT: [
          { with: { duration: '2s' }, source: 'conformance.stages.REF_WAIT[0] in c.yaml' },
          { with: {}, source: 'conformance.stages.REF_WAIT[1] in c.yaml' },
          { with: { duration: '8s' }, source: 'conformance.stages.REF_WAIT[2] in c.yaml' },
          { with: { duration: '8s' }, source: 'conformance.stages.REF_WAIT[3] in c.yaml' },
        ],
      },
    };
    const plan = [planned('REF_WAIT', 1, { duration: '2s' }, 'app examples/mixed, stage 1'), planned('REF_WAIT', 4, {}, 'app examples/mixed, stage 4')];
    expect(stageExamplesOf(inputs, plan, 'REF_WAIT')).toEqual([
      { with: { duration: '2s' }, source: 'app examples/mixed, stage 1' },
      { with: {}, source: 'app examples/mixed, stage 4' },
      { with: { duration: '8s' }, source: 'conformance.stages.REF_WAIT[2] in c.yaml' },
    ]);
  });

  it('skips the harness default `{}` of generic entries, so a real `{}` example keeps its own source', () => {
    const inputs: RunInputs = { apps: [], stages: { REF_WAIT: [{ with: {}, source: 'conformance.stages.REF_WAIT[0] in c.yaml' }] } };
    const plan = [planned('REF_WAIT', 1, {}, DEFAULT_CONFIG_SOURCE, true)];
    expect(stageExamplesOf(inputs, plan, 'REF_WAIT')).toEqual([{ with: {}, source: 'conformance.stages.REF_WAIT[0] in c.yaml' }]);
    expect(stageExamplesOf({ apps: [], stages: {} }, plan, 'REF_WAIT')).toEqual([]);
  });
});

describe('inputGapReason', () => {
  it('is undefined without gaps', () => {
    expect(inputGapReason([])).toBeUndefined();
  });

  it('names the stage, the status code and the plugin\'s message, and both fixes', () => {
    expect(inputGapReason([{ stageName: 'REF_WAIT', code: 'INVALID_ARGUMENT', message: 'duration is required' }])).toBe(
      "stage REF_WAIT refused `{}` with INVALID_ARGUMENT 'duration is required'; give an example with --app (an app whose pipeline uses the stage) or conformance.stages.REF_WAIT in --config",
    );
  });

  it('names every stage and its fix, in order', () => {
    const reason = inputGapReason([
      { stageName: 'REF_WAIT', code: 'INVALID_ARGUMENT', message: 'duration is required' },
      { stageName: 'REF_APPROVAL', code: 'FAILED_PRECONDITION', message: 'approvers must not be empty' },
    ]);
    expect(reason).toBe(
      "stage REF_WAIT refused `{}` with INVALID_ARGUMENT 'duration is required'; stage REF_APPROVAL refused `{}` with FAILED_PRECONDITION 'approvers must not be empty'; " +
        'give an example with --app (an app whose pipeline uses the stage) or conformance.stages.REF_WAIT, conformance.stages.REF_APPROVAL in --config',
    );
  });
});

describe('otherAppPipelines', () => {
  const second = exampleApp('examples/second', [{ name: 'REF_APPROVAL', index: 0, with: { approvers: ['bob'] } }, { name: 'K8S_SYNC', index: 1 }]);

  it('makes every further app that names this plugin\'s stages a case of its own, in order, with its own stages', () => {
    const c = choice({ apps: [syncOnly, mixed, second] });
    const primary = candidatePipeline(c).app;
    const others = otherAppPipelines(c, primary);
    expect(others.map((o) => o.app.example?.label)).toEqual(['examples/second']);
    expect(others[0].stages).toEqual([{ name: 'REF_APPROVAL', index: 0, with: { approvers: ['bob'] }, source: 'app examples/second, stage 0', generic: false }]);
  });

  it('is empty with a single app', () => {
    const c = choice({ apps: [mixed] });
    expect(otherAppPipelines(c, candidatePipeline(c).app)).toEqual([]);
  });
});
