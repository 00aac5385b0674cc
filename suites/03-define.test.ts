// DEF: FetchDefinedStages — a stable list of unique names that covers every stage the plugin ever emits.
import { describe, it } from 'vitest';
import {
  checkDefinedStageNames, checkDefinedStagesCheap, checkDefinedStagesStable, checkEmittedStagesDefined, checkNoOfficialStageNames,
} from '../src/contract/checks/index.js';
import type { Violation } from '../src/contract/violation.js';
import { planFacts } from './support/facts.js';
import { caseIdOf, expectNoViolations, useSession } from './support/shared.js';

describe('DEF FetchDefinedStages', () => {
  it('DEF-001 answers OK with the same list every time, also after other RPCs', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const again = [
      await session.call('deployment', 'FetchDefinedStages', {}, { caseId: caseIdOf(ctx) }),
      await session.call('deployment', 'FetchDefinedStages', {}, { caseId: caseIdOf(ctx) }),
    ];
    expectNoViolations(checkDefinedStagesStable([facts.defined, ...again]));
  });

  it('DEF-002 stage names are non-empty and unique', async (ctx) => {
    const facts = await planFacts(await useSession(ctx));
    expectNoViolations(checkDefinedStageNames(facts.definedNames));
  });

  it('DEF-003 no defined stage name is one an official plugin uses', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    // The plugin's configured name (`--name`, piped's spec.plugins[].name): the official plugin itself, with its exact
    // stage set, is not a finding (CATALOGUE §8.11).
    expectNoViolations(checkNoOfficialStageNames(facts.definedNames, session.config.name));
  });

  it('DEF-005 FetchDefinedStages answers within 1 s and makes no PluginService calls', async (ctx) => {
    const session = await useSession(ctx);
    const facts = await planFacts(session);
    const again = [
      await session.call('deployment', 'FetchDefinedStages', {}, { caseId: caseIdOf(ctx) }),
      await session.call('deployment', 'FetchDefinedStages', {}, { caseId: caseIdOf(ctx) }),
    ];
    expectNoViolations(checkDefinedStagesCheap([facts.defined, ...again]));
  });

  it('DEF-004 every stage emitted by BuildPipelineSyncStages and BuildQuickSyncStages, rollback included, is defined', async (ctx) => {
    const facts = await planFacts(await useSession(ctx));
    const emitted: [string, any][] = [
      ['BuildQuickSyncStages rollback=true', facts.quickSync.rollback],
      ['BuildQuickSyncStages rollback=false', facts.quickSync.noRollback],
      ['BuildPipelineSyncStages rollback=true', facts.pipeline.rollback.outcome],
      ['BuildPipelineSyncStages rollback=false', facts.pipeline.noRollback.outcome],
    ];
    const violations: Violation[] = emitted.flatMap(([source, outcome]) => (outcome.ok ? checkEmittedStagesDefined(facts.definedNames, outcome.response.stages ?? [], source) : []));
    expectNoViolations(violations);
  });
});
