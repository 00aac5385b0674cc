// Invalid requests derived from the `(validate.rules)` in the loaded descriptors, never from a hand list: for every
// rule reachable from a request type (through required messages and message fields present in a valid base
// request), one request that breaks exactly that rule. A rule added to proto/ yields a new case with no code change.
import protobuf from 'protobufjs';
import { SERVICE_NAMES, type ServiceKey } from '../protocol/load.js';
import { fieldRules, validateMessage } from '../protocol/validate.js';
import type { CheckoutOf } from './arbitraries.js';
import * as req from './requests.js';

type Segment = string | number;

/** One request that breaks exactly one validate rule. */
export interface InvalidCase {
  /** Full request type name, e.g. `grpc.plugin.deploymentapi.v1alpha1.DetermineVersionsRequest`. */
  typeName: string;
  /** Where the broken field sits, as segments from the request root. */
  path: Segment[];
  /** The same place as validateMessage names it: `input.deployment.stages[0].name`. */
  where: string;
  /** The rule broken, as validateMessage names it: `string.min_len`. */
  rule: string;
  /** What the field is set to (null = left out). */
  value: unknown;
  /** `DetermineVersionsRequest.input.deployment.id breaks string.min_len`. */
  label: string;
}

/** A rule no violating value could be found for (reported, so it is never silently dropped). */
export interface UnderivableRule {
  typeName: string;
  where: string;
  rule: string;
  reason: string;
}

interface Candidate {
  path: Segment[];
  where: string;
  rule: string;
  values: unknown[];
  /** Why `values` is empty, when it is. */
  reason?: string;
}

/** Every single-rule violation of `typeName` reachable from `base`, which must itself be valid. */
export function deriveInvalidCases(root: protobuf.Root, typeName: string, base: unknown): { cases: InvalidCase[]; underivable: UnderivableRule[] } {
  const type = root.lookupType(typeName);
  const shortName = type.name;
  const before = validateMessage(root, typeName, base);
  if (before.length) throw new Error(`the base ${shortName} is not valid (${before.map((v) => `${v.path} ${v.rule}`).join(', ')}); fix its builder`);
  const candidates: Candidate[] = [];
  walk(type, base, [], '', candidates);
  const cases: InvalidCase[] = [];
  const underivable: UnderivableRule[] = [];
  for (const candidate of candidates) {
    const value = candidate.values.find((v) => breaksExactly(root, typeName, applyAt(base, candidate.path, v), candidate));
    if (value === undefined) {
      underivable.push({ typeName, where: candidate.where, rule: candidate.rule, reason: candidate.reason ?? 'every candidate value broke another rule too, or none at all' });
      continue;
    }
    const { values: _values, reason: _reason, ...rest } = candidate;
    cases.push({ typeName, ...rest, value, label: `${shortName}.${candidate.where} breaks ${candidate.rule}` });
  }
  return { cases, underivable };
}

/** A copy of `base` with the case's field set to its violating value. */
export function applyInvalidCase(base: unknown, c: Pick<InvalidCase, 'path' | 'value'>): any {
  return applyAt(base, c.path, c.value);
}

function breaksExactly(root: protobuf.Root, typeName: string, request: unknown, candidate: Candidate): boolean {
  const violations = validateMessage(root, typeName, request);
  return violations.length === 1 && violations[0].path === candidate.where && violations[0].rule === candidate.rule;
}

/** Deep copy with the value at `path` replaced (undefined values: the key is removed). */
function applyAt(base: unknown, path: Segment[], value: unknown): any {
  if (!path.length) return value;
  const [head, ...rest] = path;
  const container: any = Array.isArray(base) ? [...base] : { ...(base as object) };
  container[head] = applyAt(container[head], rest, value);
  return container;
}

function walk(type: protobuf.Type, message: any, path: Segment[], where: string, out: Candidate[]): void {
  for (const field of type.fieldsArray) {
    field.resolve();
    const fieldPath = [...path, field.name];
    const fieldWhere = where ? `${where}.${field.name}` : field.name;
    const value = message?.[field.name];
    const rules = fieldRules(field);
    if (rules) out.push(...fieldCandidates(field, rules, value, fieldPath, fieldWhere));
    if (!(field.resolvedType instanceof protobuf.Type)) continue;
    const nested = field.resolvedType;
    if (field.map) {
      const first = Object.keys(value ?? {})[0];
      if (first !== undefined) walk(nested, value[first], [...fieldPath, first], `${fieldWhere}[${JSON.stringify(first)}]`, out);
    } else if (field.repeated) {
      if (Array.isArray(value) && value.length) walk(nested, value[0], [...fieldPath, 0], `${fieldWhere}[0]`, out);
    } else if (value !== null && value !== undefined) {
      walk(nested, value, fieldPath, fieldWhere, out);
    }
  }
}

/** Candidates for every rule on one field, including the per-item and per-entry rules of lists and maps. */
function fieldCandidates(field: protobuf.Field, rules: Record<string, any>, value: unknown, path: Segment[], where: string): Candidate[] {
  const out: Candidate[] = [];
  for (const [kind, body] of Object.entries(rules)) {
    for (const [key, bound] of Object.entries(body ?? {})) {
      if (kind === 'repeated') out.push(...repeatedCandidates(field, key, bound, value, path, where));
      else if (kind === 'map') out.push(...mapCandidates(field, key, bound, value, path, where));
      else if (kind === 'message') {
        if (key === 'required' && bound) out.push({ path, where, rule: 'message.required', values: [null] });
      } else out.push(scalarCandidate(field, kind, key, bound, path, where));
    }
  }
  return out;
}

function repeatedCandidates(field: protobuf.Field, key: string, bound: any, value: unknown, path: Segment[], where: string): Candidate[] {
  const items = Array.isArray(value) ? value : [];
  const rule = `repeated.${key}`;
  if (key === 'min_items') {
    const n = Number(bound);
    return [{ path, where, rule, values: n > 0 ? [items.slice(0, n - 1)] : [], reason: 'min_items 0 cannot be broken' }];
  }
  if (key === 'max_items') {
    const n = Number(bound);
    return [{ path, where, rule, values: items.length ? [Array.from({ length: n + 1 }, (_, i) => items[i % items.length])] : [], reason: 'the base has no item to repeat' }];
  }
  if (key !== 'items') return [];
  return Object.entries(bound ?? {}).flatMap(([kind, body]) =>
    Object.entries(body ?? {}).map(([itemKey, itemBound]) => {
      const item = scalarCandidate(field, kind, itemKey, itemBound, [...path, 0], `${where}[0]`);
      return { ...item, path, values: item.values.map((v) => [v, ...items.slice(1)]) };
    }),
  );
}

function mapCandidates(field: protobuf.Field, key: string, bound: any, value: unknown, path: Segment[], where: string): Candidate[] {
  const entries = Object.entries((value ?? {}) as Record<string, unknown>);
  const rule = `map.${key}`;
  if (key === 'min_pairs') {
    const n = Number(bound);
    return [{ path, where, rule, values: n > 0 ? [Object.fromEntries(entries.slice(0, n - 1))] : [], reason: 'min_pairs 0 cannot be broken' }];
  }
  if (key === 'max_pairs') {
    const n = Number(bound);
    const sample = entries[0]?.[1];
    const grown = Object.fromEntries(Array.from({ length: n + 1 }, (_, i) => [entries[i]?.[0] ?? `conformance-key-${i}`, entries[i]?.[1] ?? sample]));
    return [{ path, where, rule, values: entries.length ? [grown] : [], reason: 'the base has no entry to copy' }];
  }
  if (key !== 'keys' && key !== 'values') return [];
  const firstKey = entries[0]?.[0] ?? 'conformance-key';
  const sample = entries[0]?.[1];
  return Object.entries(bound ?? {}).flatMap(([kind, body]) =>
    Object.entries(body ?? {}).flatMap(([itemKey, itemBound]): Candidate[] => {
      if (key === 'values') {
        const c = scalarCandidate(field, kind, itemKey, itemBound, path, `${where}[${JSON.stringify(firstKey)}]`);
        return [{ ...c, values: c.values.map((v) => ({ ...Object.fromEntries(entries), [firstKey]: v })) }];
      }
      // A broken key is named by the key itself (`labels["x"]#key`), so each candidate key is its own candidate.
      const keyField = { type: 'string', resolvedType: null } as unknown as protobuf.Field;
      const c = scalarCandidate(keyField, kind, itemKey, itemBound, path, '');
      if (!c.values.length) return [{ ...c, where: `${where}#key` }];
      return c.values.map((k) => ({ path, rule: c.rule, where: `${where}[${JSON.stringify(String(k))}]#key`, values: [{ [String(k)]: sample }] }));
    }),
  );
}

// ---- violating values for one scalar rule -------------------------------------------------------------------

const INT_RANGES: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n], sint32: [-(2n ** 31n), 2n ** 31n - 1n], sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n], fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n], sint64: [-(2n ** 63n), 2n ** 63n - 1n], sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n], fixed64: [0n, 2n ** 64n - 1n],
};
const WIDE = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);

function scalarCandidate(field: protobuf.Field, kind: string, key: string, bound: any, path: Segment[], where: string): Candidate {
  const rule = `${kind}.${key}`;
  const base = { path, where, rule };
  if (kind === 'string') return { ...base, values: stringValues(key, bound) };
  if (kind === 'bytes') return { ...base, values: bytesValues(key, bound) };
  if (kind === 'bool') return { ...base, values: key === 'const' ? [!bound] : [] };
  if (kind === 'enum') return { ...base, values: enumValues(field.resolvedType as protobuf.Enum, key, bound) };
  if (kind === 'double' || kind === 'float') return { ...base, values: floatValues(key, bound) };
  if (INT_RANGES[kind]) {
    const values = intValues(key, bound).filter((v) => v >= INT_RANGES[kind][0] && v <= INT_RANGES[kind][1]);
    return { ...base, values: values.map((v) => (WIDE.has(kind) ? v.toString() : Number(v))), reason: `no ${kind} value breaks ${key} ${bound}` };
  }
  return { ...base, values: [], reason: `no violating value is known for ${rule}` };
}

function stringValues(key: string, bound: any): unknown[] {
  const n = Number(bound);
  const filler = (count: number) => 'x'.repeat(Math.max(0, count));
  switch (key) {
    case 'min_len':
    case 'min_bytes':
      return n > 0 ? [filler(n - 1)] : [];
    case 'max_len':
    case 'len':
    case 'max_bytes':
      return [filler(n + 1), ...(key === 'len' && n > 0 ? [filler(n - 1)] : [])];
    case 'pattern': {
      const pattern = new RegExp(String(bound), 'u');
      return ['', '/', '//', '/x', 'x', ' ', '\n', 'x\ny', '0', 'conformance', '\u00e9'].filter((s) => !pattern.test(s));
    }
    case 'prefix':
      return ['', 'x', 'conformance'].filter((s) => !s.startsWith(String(bound)));
    case 'suffix':
      return ['', 'x', 'conformance'].filter((s) => !s.endsWith(String(bound)));
    case 'contains':
      return ['', 'x', 'conformance'].filter((s) => !s.includes(String(bound)));
    case 'in':
      return ['conformance-not-listed', '', 'x'].filter((s) => !(bound as string[]).includes(s));
    case 'not_in':
      return (bound as string[]).slice(0, 1);
    case 'const':
      return [`${bound}x`, ''].filter((s) => s !== bound);
    default:
      return [];
  }
}

function bytesValues(key: string, bound: any): unknown[] {
  const n = Number(bound);
  if (key === 'min_len') return n > 0 ? [Buffer.alloc(n - 1, 0x78)] : [];
  if (key === 'max_len' || key === 'len') return [Buffer.alloc(n + 1, 0x78)];
  return [];
}

function intValues(key: string, bound: any): bigint[] {
  const list = () => (bound as unknown[]).map((x) => BigInt(String(x)));
  switch (key) {
    case 'gt': return [BigInt(String(bound)), BigInt(String(bound)) - 1n];
    case 'gte': return [BigInt(String(bound)) - 1n];
    case 'lt': return [BigInt(String(bound)), BigInt(String(bound)) + 1n];
    case 'lte': return [BigInt(String(bound)) + 1n];
    case 'const': return [BigInt(String(bound)) + 1n, BigInt(String(bound)) - 1n];
    case 'in': {
      const values = list();
      return [values.reduce((a, b) => (b > a ? b : a)) + 1n, values.reduce((a, b) => (b < a ? b : a)) - 1n];
    }
    case 'not_in': return list().slice(0, 1);
    default: return [];
  }
}

function floatValues(key: string, bound: any): unknown[] {
  const b = Number(bound);
  switch (key) {
    case 'gt': return [b, b - 1];
    case 'gte': return [b - 1];
    case 'lt': return [b, b + 1];
    case 'lte': return [b + 1];
    case 'const': return [b + 1];
    case 'in': return [Math.max(...(bound as number[]).map(Number)) + 1];
    case 'not_in': return (bound as unknown[]).slice(0, 1).map(Number);
    default: return [];
  }
}

/** Enum values as numbers, so values with no name can be sent at all. */
function enumValues(enumType: protobuf.Enum, key: string, bound: any): unknown[] {
  const defined = Object.keys(enumType.valuesById).map(Number).sort((a, b) => a - b);
  const undefinedNumber = firstMissing(defined);
  const asNumbers = (list: unknown) => (Array.isArray(list) ? list.map(Number) : [Number(list)]);
  switch (key) {
    case 'defined_only': return bound ? [undefinedNumber] : [];
    case 'in': return [...defined.filter((v) => !asNumbers(bound).includes(v)), undefinedNumber];
    case 'not_in': return asNumbers(bound).slice(0, 1);
    case 'const': return [...defined.filter((v) => v !== Number(bound)), undefinedNumber];
    default: return [];
  }
}

/** The smallest non-negative number that is not in `sorted`. */
function firstMissing(sorted: number[]): number {
  let n = 0;
  while (sorted.includes(n)) n += 1;
  return n;
}

// ---- valid base requests ------------------------------------------------------------------------------------

export interface BaseContext {
  pluginName: string;
  /** Configured deploy target names (a deployment plugin needs them in `deploy_targets_by_plugin`). */
  deployTargets: string[];
  checkout: CheckoutOf;
  ids: { deploymentId: string; applicationId: string };
}

/** A stage name no plugin defines, so a plugin that does not validate requests fails it fast instead of running it. */
export const UNDEFINED_STAGE = 'CONFORMANCE_GENERATED_CASE_STAGE';

/**
 * A valid request for one method, shaped so that every message with rules is present (a planned deployment with a
 * stage and a version, a running source), which makes each rule reachable. Undefined for a method we cannot build.
 */
export function validBaseRequest(service: ServiceKey, method: string, ctx: BaseContext): unknown {
  const app: req.AppSpec = { pluginName: ctx.pluginName, pipeline: [{ name: UNDEFINED_STAGE, with: {} }] };
  const source = (commit: string) => req.deploymentSource(app, commit, ctx.checkout(app, commit));
  const sources = { target: source(req.TARGET_COMMIT), running: source(req.RUNNING_COMMIT) };
  const targets = ctx.deployTargets.length ? ctx.deployTargets : undefined;
  const spec = { ids: ctx.ids, pluginName: ctx.pluginName, deployTargets: targets };
  switch (`${service}.${method}`) {
    case 'deployment.FetchDefinedStages':
      return {};
    case 'deployment.DetermineVersions':
    case 'deployment.DetermineStrategy':
      return { input: req.planInput(spec, sources) };
    case 'deployment.BuildPipelineSyncStages':
      return req.pipelineRequest([{ name: UNDEFINED_STAGE, index: 0, with: {} }, { name: UNDEFINED_STAGE, index: 2, with: {} }], true);
    case 'deployment.BuildQuickSyncStages':
      return { rollback: true };
    case 'deployment.ExecuteStage': {
      const stage = { ...req.plainStage(UNDEFINED_STAGE, 0), id: `${ctx.ids.deploymentId}-stage` };
      const dep = { ...req.deployment({ ...spec, stages: [stage], status: 'DEPLOYMENT_PLANNED', syncStrategy: 'PIPELINE' }), versions: [{ kind: 'UNKNOWN', version: 'v1', name: 'app', url: '' }] };
      return req.executeRequest(dep, stage, {}, sources.target, sources.running);
    }
    case 'livestate.GetLivestate':
      return req.livestateRequest({ applicationId: ctx.ids.applicationId }, app, ctx.deployTargets, sources.target);
    case 'planPreview.GetPlanPreview':
      return req.planPreviewRequest({ applicationId: ctx.ids.applicationId }, app, ctx.deployTargets, sources);
    default:
      return undefined;
  }
}

/** Every method of the plugin-side services, with its request type, in proto order. */
export function pluginMethods(root: protobuf.Root): { service: ServiceKey; method: string; requestType: string }[] {
  const keys: ServiceKey[] = ['deployment', 'livestate', 'planPreview'];
  return keys.flatMap((service) => {
    const svc = root.lookupService(SERVICE_NAMES[service]);
    return svc.methodsArray.map((m) => {
      m.resolve();
      return { service, method: m.name, requestType: m.resolvedRequestType!.fullName.slice(1) };
    });
  });
}

/** One method's generated API-003 cases. */
export interface MethodCases {
  method: { service: ServiceKey; method: string };
  base: unknown;
  cases: InvalidCase[];
  underivable: UnderivableRule[];
}

/** The generated API-003 family for a plugin: every derivable case of every method, plus what could not be derived. */
export function invalidRequestCases(root: protobuf.Root, ctx: BaseContext): MethodCases[] {
  return pluginMethods(root).map(({ service, method, requestType }): MethodCases => {
    const base = validBaseRequest(service, method, ctx);
    if (base === undefined) {
      return { method: { service, method }, base, cases: [], underivable: [{ typeName: requestType, where: '', rule: '*', reason: `no valid base request is built for ${method}; add one to validBaseRequest()` }] };
    }
    return { method: { service, method }, base, ...deriveInvalidCases(root, requestType, base) };
  });
}
