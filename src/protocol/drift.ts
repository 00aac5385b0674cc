// Schema drift: where our wire schema (proto/) differs from upstream pipecd's, for every message, enum and service we
// define. Wire facts only: names, numbers, types, labels, map keys, oneofs, reserved ranges, enum values, methods and
// options such as `(validate.rules)`. Comments, declaration order and file layout are ours to choose and not compared.
// Pure: takes two loaded protobufjs roots (src/protocol/load.ts loads one from any proto root).
import protobuf from 'protobufjs';

/** One difference, e.g. `model.Deployment.id number: ours 1, upstream 2`. */
export interface Drift {
  /** Full name of the type, field, enum value or method, without the leading dot. */
  path: string;
  /** What differs: `number`, `type`, `label`, `oneof`, `(validate.rules)`, … or `definition` when one side lacks it. */
  aspect: string;
  ours: string;
  upstream: string;
}

const ABSENT = 'absent';

/** Namespaces loaded alongside ours but not ours to define: protoc-gen-validate's and protobuf's own types. */
const FOREIGN_PREFIXES = ['.validate.', '.google.protobuf.'];

export function formatDrift(d: Drift): string {
  return `${d.path} ${d.aspect}: ours ${d.ours}, upstream ${d.upstream}`;
}

/** Every difference between `ours` and `upstream` in the types `ours` defines. Resolves both roots' type references. */
export function schemaDrift(ours: protobuf.Root, upstream: protobuf.Root): Drift[] {
  ours.resolveAll();
  upstream.resolveAll();
  return definitions(ours).flatMap((def) => compareDefinition(def, upstream.lookup(def.fullName)));
}

function definitions(ns: protobuf.NamespaceBase): protobuf.ReflectionObject[] {
  return ns.nestedArray.flatMap((obj) => {
    if (FOREIGN_PREFIXES.some((prefix) => `${obj.fullName}.`.startsWith(prefix))) return [];
    const own = obj instanceof protobuf.Type || obj instanceof protobuf.Enum || obj instanceof protobuf.Service ? [obj] : [];
    const nested = obj instanceof protobuf.Namespace ? definitions(obj) : [];
    return [...own, ...nested];
  });
}

function compareDefinition(ours: protobuf.ReflectionObject, upstream: protobuf.ReflectionObject | null): Drift[] {
  const path = nameOf(ours);
  if (kindOf(ours) !== kindOf(upstream)) return [{ path, aspect: 'definition', ours: kindOf(ours), upstream: kindOf(upstream) }];
  const options = compareOptions(path, ours, upstream!);
  if (ours instanceof protobuf.Type) return [...options, ...compareMessage(ours, upstream as protobuf.Type)];
  if (ours instanceof protobuf.Enum) return [...options, ...compareEnum(ours, upstream as protobuf.Enum)];
  return [...options, ...compareService(ours as protobuf.Service, upstream as protobuf.Service)];
}

function kindOf(obj: protobuf.ReflectionObject | null): string {
  if (obj instanceof protobuf.Type) return 'message';
  if (obj instanceof protobuf.Enum) return 'enum';
  if (obj instanceof protobuf.Service) return 'service';
  return obj ? obj.constructor.name.toLowerCase() : ABSENT;
}

function nameOf(obj: protobuf.ReflectionObject): string {
  return obj.fullName.replace(/^\./, '');
}

// ---- messages

function compareMessage(ours: protobuf.Type, upstream: protobuf.Type): Drift[] {
  const path = nameOf(ours);
  const drifts = compareValue(path, 'reserved', reservedText(ours.reserved), reservedText(upstream.reserved));
  for (const name of union(Object.keys(ours.fields), Object.keys(upstream.fields))) {
    drifts.push(...compareField(`${path}.${name}`, ours.fields[name], upstream.fields[name]));
  }
  const oneofs = (t: protobuf.Type) => new Map(t.oneofsArray.filter((o) => !isSyntheticOneof(o)).map((o) => [o.name, o]));
  const ourOneofs = oneofs(ours);
  const upstreamOneofs = oneofs(upstream);
  for (const name of union([...ourOneofs.keys()], [...upstreamOneofs.keys()])) {
    const a = ourOneofs.get(name);
    const b = upstreamOneofs.get(name);
    if (!a || !b) drifts.push({ path: `${path}.${name}`, aspect: 'oneof', ours: a ? 'defined' : ABSENT, upstream: b ? 'defined' : ABSENT });
    else drifts.push(...compareOptions(`${path}.${name}`, a, b));
  }
  return drifts;
}

function compareField(path: string, ours: protobuf.Field | undefined, upstream: protobuf.Field | undefined): Drift[] {
  if (!ours || !upstream) return [{ path, aspect: 'definition', ours: ours ? describeField(ours) : ABSENT, upstream: upstream ? describeField(upstream) : ABSENT }];
  return [
    ...compareValue(path, 'number', String(ours.id), String(upstream.id)),
    ...compareValue(path, 'type', typeOf(ours), typeOf(upstream)),
    ...compareValue(path, 'label', labelOf(ours), labelOf(upstream)),
    ...compareValue(path, 'oneof', oneofOf(ours), oneofOf(upstream)),
    ...compareOptions(path, ours, upstream),
  ];
}

function describeField(field: protobuf.Field): string {
  return `${labelOf(field)} ${typeOf(field)} = ${field.id}`;
}

/** Scalar name, or the full name of the message/enum; maps as `map<key, value>`. */
function typeOf(field: protobuf.Field): string {
  const value = field.resolvedType ? nameOf(field.resolvedType) : field.type;
  return field instanceof protobuf.MapField ? `map<${field.keyType}, ${value}>` : value;
}

function labelOf(field: protobuf.Field): string {
  if (field instanceof protobuf.MapField) return 'map';
  if (field.repeated) return 'repeated';
  if ((field as { rule?: string }).rule === 'required') return 'required';
  return field.options?.proto3_optional ? 'optional' : 'singular';
}

function oneofOf(field: protobuf.Field): string {
  return field.partOf && !isSyntheticOneof(field.partOf) ? field.partOf.name : 'none';
}

/** protobufjs models a proto3 `optional` field as a one-field oneof named `_<field>`; that is a label, not a oneof. */
function isSyntheticOneof(oneof: protobuf.OneOf): boolean {
  return oneof.fieldsArray.length === 1 && Boolean(oneof.fieldsArray[0].options?.proto3_optional);
}

function reservedText(reserved: (number[] | string)[] | undefined): string {
  const items = (reserved ?? []).map((r) => (typeof r === 'string' ? JSON.stringify(r) : r[0] === r[1] ? String(r[0]) : `${r[0]} to ${r[1]}`));
  return items.length ? items.sort().join(', ') : 'none';
}

// ---- enums

function compareEnum(ours: protobuf.Enum, upstream: protobuf.Enum): Drift[] {
  const path = nameOf(ours);
  const drifts = compareValue(path, 'reserved', reservedText(ours.reserved), reservedText(upstream.reserved));
  for (const name of union(Object.keys(ours.values), Object.keys(upstream.values))) {
    const a = ours.values[name];
    const b = upstream.values[name];
    drifts.push(...compareValue(`${path}.${name}`, 'number', a === undefined ? ABSENT : String(a), b === undefined ? ABSENT : String(b)));
    if (a !== undefined && b !== undefined) drifts.push(...compareOptions(`${path}.${name}`, { options: ours.valuesOptions?.[name] }, { options: upstream.valuesOptions?.[name] }));
  }
  return drifts;
}

// ---- services

function compareService(ours: protobuf.Service, upstream: protobuf.Service): Drift[] {
  const path = nameOf(ours);
  return union(Object.keys(ours.methods), Object.keys(upstream.methods)).flatMap((name) => {
    const a = ours.methods[name];
    const b = upstream.methods[name];
    if (!a || !b) return [{ path: `${path}.${name}`, aspect: 'definition', ours: a ? describeMethod(a) : ABSENT, upstream: b ? describeMethod(b) : ABSENT }];
    return [
      ...compareValue(`${path}.${name}`, 'signature', describeMethod(a), describeMethod(b)),
      ...compareOptions(`${path}.${name}`, a, b),
    ];
  });
}

function describeMethod(method: protobuf.Method): string {
  method.resolve();
  const side = (stream: boolean | undefined, type: protobuf.Type | null, name: string) => `${stream ? 'stream ' : ''}${type ? nameOf(type) : name}`;
  return `(${side(method.requestStream, method.resolvedRequestType, method.requestType)}) returns (${side(method.responseStream, method.resolvedResponseType, method.responseType)})`;
}

// ---- options

/** Anything protobufjs hangs options on. Its typings call parsedOptions a record; at run time it is a list of records. */
interface OptionHolder {
  parsedOptions?: unknown;
  options?: Record<string, unknown>;
}

/**
 * Compares options by name: `(validate.rules)` and other custom options from protobufjs' parsedOptions, plain ones
 * (`deprecated`, …) from options. Values are compared as canonical JSON, so key order does not matter.
 */
function compareOptions(path: string, ours: OptionHolder, upstream: OptionHolder): Drift[] {
  const a = optionMap(ours);
  const b = optionMap(upstream);
  return union([...a.keys()], [...b.keys()]).flatMap((name) => compareValue(path, name, a.get(name) ?? ABSENT, b.get(name) ?? ABSENT));
}

function optionMap(holder: OptionHolder): Map<string, string> {
  const parsed = Array.isArray(holder.parsedOptions) ? (holder.parsedOptions as Record<string, unknown>[]) : [];
  const merged: Record<string, unknown> = {};
  for (const entry of parsed) {
    for (const [name, value] of Object.entries(entry ?? {})) merged[name] = deepMerge(merged[name], value);
  }
  for (const [name, value] of Object.entries(holder.options ?? {})) {
    // Custom options appear flattened here too ("(validate.rules).string.min_len") when parsedOptions has them whole.
    if (name === 'proto3_optional' || name in merged || (parsed.length && name.startsWith('('))) continue;
    merged[name] = value;
  }
  return new Map(Object.entries(merged).map(([name, value]) => [name, canonicalJson(value)]));
}

function deepMerge(a: unknown, b: unknown): unknown {
  if (!isPlainObject(a) || !isPlainObject(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = deepMerge(out[k], v);
  return out;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- helpers

function compareValue(path: string, aspect: string, ours: string, upstream: string): Drift[] {
  return ours === upstream ? [] : [{ path, aspect, ours, upstream }];
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
