// Invalid requests derived from the validate rules: one case per reachable rule, each breaking exactly that rule.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PLACEHOLDER_CHECKOUT } from '../../../src/generate/arbitraries.js';
import { applyInvalidCase, deriveInvalidCases, invalidRequestCases, pluginMethods, validBaseRequest, type BaseContext } from '../../../src/generate/invalid.js';
import { loadOptionsRoot, loadProtocol, validateIncludeDir } from '../../../src/protocol/load.js';
import { validateMessage } from '../../../src/protocol/validate.js';

const protocol = loadProtocol();
const ctx: BaseContext = { pluginName: 'example', deployTargets: ['dev'], checkout: PLACEHOLDER_CHECKOUT, ids: { deploymentId: 'd1', applicationId: 'a1' } };
const family = invalidRequestCases(protocol.root, ctx);
const labels = family.flatMap((m) => m.cases.map((c) => c.label));

describe('API-003 generated cases from the bundled proto/', () => {
  it('every plugin-side method has a valid base request and every reachable rule a case', () => {
    expect(family.flatMap((m) => m.underivable)).toEqual([]);
    expect(family.map((m) => m.method.method)).toEqual(pluginMethods(protocol.root).map((m) => m.method));
  });

  it('each case breaks exactly its own rule, at its own path', () => {
    for (const m of family) {
      for (const c of m.cases) {
        const violations = validateMessage(protocol.root, c.typeName, applyInvalidCase(m.base, c));
        expect(violations.map((v) => [v.path, v.rule]), c.label).toEqual([[c.where, c.rule]]);
      }
    }
  });

  it('labels are unique and name the request type, the path and the rule', () => {
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels).toContain('DetermineVersionsRequest.input.deployment.id breaks string.min_len');
    expect(labels).toContain('BuildPipelineSyncStagesRequest.stages[0].index breaks int32.gte');
    expect(labels).toContain('ExecuteStageRequest.input breaks message.required');
    expect(labels).toContain('ExecuteStageRequest.input.deployment.git_path.path breaks string.pattern');
    expect(labels).toContain('ExecuteStageRequest.input.stage.created_at breaks int64.gt');
    expect(labels).toContain('ExecuteStageRequest.input.deployment.stages[0].available_operation breaks enum.defined_only');
    expect(labels).toContain('ExecuteStageRequest.input.deployment.versions[0].kind breaks enum.defined_only');
  });

  it('violating values follow the rule: min_len → "", gt 0 → "0", gte 0 → -1, defined_only → an undefined number, required → null', () => {
    const byLabel = new Map(family.flatMap((m) => m.cases.map((c) => [c.label, c.value] as const)));
    expect(byLabel.get('DetermineVersionsRequest.input.deployment.id breaks string.min_len')).toBe('');
    expect(byLabel.get('DetermineVersionsRequest.input.deployment.trigger.timestamp breaks int64.gt')).toBe('0');
    expect(byLabel.get('BuildPipelineSyncStagesRequest.stages[0].index breaks int32.gte')).toBe(-1);
    expect(byLabel.get('DetermineVersionsRequest.input.deployment.kind breaks enum.defined_only')).toBe(2);
    expect(byLabel.get('DetermineVersionsRequest.input breaks message.required')).toBeNull();
    const path = byLabel.get('DetermineVersionsRequest.input.deployment.git_path.path breaks string.pattern');
    expect(typeof path === 'string' && !/^[^/].+$/u.test(path)).toBe(true);
  });

  it('planning inputs carry no stages, so PipelineStage rules are reached only through ExecuteStage', () => {
    expect(labels.some((l) => l.startsWith('DetermineVersionsRequest.input.deployment.stages'))).toBe(false);
    expect(labels.filter((l) => l.startsWith('ExecuteStageRequest.input.stage.')).length).toBe(7);
  });

  it('a base request that is itself invalid is refused with the broken fields named', () => {
    const base = validBaseRequest('deployment', 'DetermineVersions', ctx) as any;
    const broken = applyInvalidCase(base, { path: ['input', 'deployment', 'id'], value: '' });
    expect(() => deriveInvalidCases(protocol.root, 'grpc.plugin.deploymentapi.v1alpha1.DetermineVersionsRequest', broken)).toThrow(/input\.deployment\.id string\.min_len/);
  });
});

describe('a new rule in a proto yields a new case with no code change', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-invalid-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function casesFor(messageBody: string) {
    const file = path.join(dir, `tiny-${Math.random().toString(36).slice(2)}.proto`);
    writeFileSync(file, `syntax = "proto3";\npackage tiny;\nimport "validate/validate.proto";\n${messageBody}\n`);
    const root = loadOptionsRoot([dir, validateIncludeDir()], [file]);
    const base = { name: 'ok', count: '5', tags: ['a'], color: 'RED', inner: { note: 'n' }, labels: { k: 'v' } };
    return deriveInvalidCases(root, 'tiny.Req', base);
  }

  const before = `
enum Color { RED = 0; BLUE = 1; }
message Inner { string note = 1; }
message Req {
  string name = 1 [(validate.rules).string.min_len = 1];
  int64 count = 2;
  repeated string tags = 3;
  Color color = 4;
  Inner inner = 5;
  map<string, string> labels = 6;
}`;

  it('one rule, one case', () => {
    const { cases, underivable } = casesFor(before);
    expect(underivable).toEqual([]);
    expect(cases.map((c) => c.label)).toEqual(['Req.name breaks string.min_len']);
  });

  it('each added rule of a supported kind adds exactly its case', () => {
    const after = before
      .replace('int64 count = 2;', 'int64 count = 2 [(validate.rules).int64 = {gt: 0, lte: 10}];')
      .replace('repeated string tags = 3;', 'repeated string tags = 3 [(validate.rules).repeated = {min_items: 1, items: {string: {prefix: "a"}}}];')
      .replace('Color color = 4;', 'Color color = 4 [(validate.rules).enum.defined_only = true];')
      .replace('string note = 1;', 'string note = 1 [(validate.rules).string.max_len = 3];')
      .replace('Inner inner = 5;', 'Inner inner = 5 [(validate.rules).message.required = true];')
      .replace('map<string, string> labels = 6;', 'map<string, string> labels = 6 [(validate.rules).map = {max_pairs: 1, keys: {string: {min_len: 1}}}];');
    const { cases, underivable } = casesFor(after);
    expect(underivable).toEqual([]);
    expect(cases.map((c) => c.label).sort()).toEqual([
      'Req.color breaks enum.defined_only',
      'Req.count breaks int64.gt',
      'Req.count breaks int64.lte',
      'Req.inner breaks message.required',
      'Req.inner.note breaks string.max_len',
      'Req.labels breaks map.max_pairs',
      'Req.labels[""]#key breaks string.min_len',
      'Req.name breaks string.min_len',
      'Req.tags breaks repeated.min_items',
      'Req.tags[0] breaks string.prefix',
    ]);
    expect(cases.find((c) => c.rule === 'int64.gt')?.value).toBe('0');
    expect(cases.find((c) => c.rule === 'int64.lte')?.value).toBe('11');
    expect(cases.find((c) => c.rule === 'enum.defined_only')?.value).toBe(2);
  });

  it('a rule that cannot be broken is reported, never dropped silently', () => {
    const { cases, underivable } = casesFor(before.replace('int64 count = 2;', 'uint64 count = 2 [(validate.rules).uint64.gte = 0];'));
    expect(cases.map((c) => c.label)).toEqual(['Req.name breaks string.min_len']);
    expect(underivable).toEqual([{ typeName: 'tiny.Req', where: 'count', rule: 'uint64.gte', reason: 'no uint64 value breaks gte 0' }]);
  });
});
