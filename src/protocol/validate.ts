// Checks plain message objects (as decoded with LOAD_OPTIONS) against protoc-gen-validate `(validate.rules)`,
// recursively, the way piped's and the SDK's PGV interceptors do. Rule kinds we do not implement are refused
// loudly, so a new rule in proto/ can never be silently ignored.
import protobuf from 'protobufjs';

export interface FieldViolation {
  /** Dotted path from the validated message, e.g. `input.deployment.trigger.commit.hash`. */
  path: string;
  /** The rule broken, e.g. `string.min_len`. */
  rule: string;
  message: string;
}

type Rules = Record<string, any>;

const NUMERIC_KINDS = ['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'double', 'float'];
const SUPPORTED: Record<string, string[]> = {
  string: ['min_len', 'max_len', 'len', 'min_bytes', 'max_bytes', 'pattern', 'prefix', 'suffix', 'contains', 'in', 'not_in', 'const'],
  bytes: ['min_len', 'max_len', 'len'],
  bool: ['const'],
  enum: ['defined_only', 'in', 'not_in', 'const'],
  message: ['required', 'skip'],
  repeated: ['min_items', 'max_items', 'items'],
  map: ['min_pairs', 'max_pairs', 'keys', 'values'],
  ...Object.fromEntries(NUMERIC_KINDS.map((k) => [k, ['gt', 'gte', 'lt', 'lte', 'const', 'in', 'not_in']])),
};

/** The `(validate.rules)` object of a field, or undefined. */
export function fieldRules(field: protobuf.Field): Rules | undefined {
  const parsed = (field as any).parsedOptions as Record<string, any>[] | undefined;
  return parsed?.find((o) => o['(validate.rules)'] !== undefined)?.['(validate.rules)'];
}

/** Throws when a rule uses a kind or key this validator does not implement. */
export function assertSupported(rules: Rules, where: string): void {
  for (const [kind, body] of Object.entries(rules)) {
    const keys = SUPPORTED[kind];
    if (!keys) throw new Error(`${where}: validate rule kind "${kind}" is not supported by plugin-conformance`);
    for (const key of Object.keys(body ?? {})) {
      if (!keys.includes(key)) throw new Error(`${where}: validate rule ${kind}.${key} is not supported by plugin-conformance`);
      if (key === 'items' || key === 'keys' || key === 'values') assertSupported(body[key], `${where}.${key}`);
    }
  }
}

function isAbsent(value: unknown): boolean {
  return value === null || value === undefined;
}

function toBig(value: unknown): bigint | number {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'object' && value !== null && 'low' in value) return BigInt((value as any).toString());
  return Number(value);
}

function compare(a: bigint | number, b: bigint | number): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a), y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function checkNumber(value: unknown, r: Rules, path: string, kind: string, out: FieldViolation[]): void {
  const v = toBig(value ?? 0);
  const bound = (k: string) => toBig(r[k]);
  const fail = (k: string, what: string) => out.push({ path, rule: `${kind}.${k}`, message: `${path} must be ${what}, got ${String(value ?? 0)}` });
  if (r.gt !== undefined && !(compare(v, bound('gt')) > 0)) fail('gt', `> ${r.gt}`);
  if (r.gte !== undefined && !(compare(v, bound('gte')) >= 0)) fail('gte', `>= ${r.gte}`);
  if (r.lt !== undefined && !(compare(v, bound('lt')) < 0)) fail('lt', `< ${r.lt}`);
  if (r.lte !== undefined && !(compare(v, bound('lte')) <= 0)) fail('lte', `<= ${r.lte}`);
  if (r.const !== undefined && compare(v, bound('const')) !== 0) fail('const', `${r.const}`);
  if (r.in && !r.in.some((x: unknown) => compare(v, toBig(x)) === 0)) fail('in', `one of ${r.in.join(', ')}`);
  if (r.not_in && r.not_in.some((x: unknown) => compare(v, toBig(x)) === 0)) fail('not_in', `none of ${r.not_in.join(', ')}`);
}

function checkString(value: unknown, r: Rules, path: string, out: FieldViolation[]): void {
  const s = typeof value === 'string' ? value : '';
  const chars = [...s].length;
  const bytes = Buffer.byteLength(s, 'utf8');
  const fail = (k: string, what: string) => out.push({ path, rule: `string.${k}`, message: `${path} ${what}, got ${JSON.stringify(s)}` });
  if (r.min_len !== undefined && chars < Number(r.min_len)) fail('min_len', `must have at least ${r.min_len} character(s)`);
  if (r.max_len !== undefined && chars > Number(r.max_len)) fail('max_len', `must have at most ${r.max_len} character(s)`);
  if (r.len !== undefined && chars !== Number(r.len)) fail('len', `must have exactly ${r.len} character(s)`);
  if (r.min_bytes !== undefined && bytes < Number(r.min_bytes)) fail('min_bytes', `must have at least ${r.min_bytes} byte(s)`);
  if (r.max_bytes !== undefined && bytes > Number(r.max_bytes)) fail('max_bytes', `must have at most ${r.max_bytes} byte(s)`);
  if (r.pattern !== undefined && !new RegExp(r.pattern, 'u').test(s)) fail('pattern', `must match /${r.pattern}/`);
  if (r.prefix !== undefined && !s.startsWith(r.prefix)) fail('prefix', `must start with ${JSON.stringify(r.prefix)}`);
  if (r.suffix !== undefined && !s.endsWith(r.suffix)) fail('suffix', `must end with ${JSON.stringify(r.suffix)}`);
  if (r.contains !== undefined && !s.includes(r.contains)) fail('contains', `must contain ${JSON.stringify(r.contains)}`);
  if (r.const !== undefined && s !== r.const) fail('const', `must equal ${JSON.stringify(r.const)}`);
  if (r.in && !r.in.includes(s)) fail('in', `must be one of ${r.in.join(', ')}`);
  if (r.not_in && r.not_in.includes(s)) fail('not_in', `must be none of ${r.not_in.join(', ')}`);
}

function byteLength(value: unknown): number {
  if (isAbsent(value)) return 0;
  if (typeof value === 'string') return Buffer.from(value, 'base64').length;
  return (value as Uint8Array).length ?? 0;
}

/** Is an enum value (name from enums:String decoding, or a number) one of the enum's defined values? */
export function enumIsDefined(enumType: protobuf.Enum, value: unknown): boolean {
  if (typeof value === 'string') return enumType.values[value] !== undefined;
  return enumType.valuesById[Number(value ?? 0)] !== undefined;
}

function enumNumber(enumType: protobuf.Enum, value: unknown): number {
  return typeof value === 'string' ? (enumType.values[value] ?? NaN) : Number(value ?? 0);
}

function checkScalar(field: protobuf.Field, kind: string, value: unknown, r: Rules, path: string, out: FieldViolation[]): void {
  if (kind === 'string') return checkString(value, r, path, out);
  if (NUMERIC_KINDS.includes(kind)) return checkNumber(value, r, path, kind, out);
  if (kind === 'bool') {
    if (r.const !== undefined && Boolean(value) !== r.const) out.push({ path, rule: 'bool.const', message: `${path} must be ${r.const}` });
    return;
  }
  if (kind === 'bytes') {
    const n = byteLength(value);
    if (r.min_len !== undefined && n < Number(r.min_len)) out.push({ path, rule: 'bytes.min_len', message: `${path} must have at least ${r.min_len} byte(s)` });
    if (r.max_len !== undefined && n > Number(r.max_len)) out.push({ path, rule: 'bytes.max_len', message: `${path} must have at most ${r.max_len} byte(s)` });
    if (r.len !== undefined && n !== Number(r.len)) out.push({ path, rule: 'bytes.len', message: `${path} must have exactly ${r.len} byte(s)` });
    return;
  }
  if (kind === 'enum') {
    const enumType = field.resolvedType as protobuf.Enum;
    const shown = JSON.stringify(value ?? 0);
    if (r.defined_only && !enumIsDefined(enumType, value)) out.push({ path, rule: 'enum.defined_only', message: `${path} must be a defined ${enumType.name} value, got ${shown}` });
    const n = enumNumber(enumType, value);
    if (r.const !== undefined && n !== Number(r.const)) out.push({ path, rule: 'enum.const', message: `${path} must be ${r.const}, got ${shown}` });
    if (r.in && !r.in.map(Number).includes(n)) out.push({ path, rule: 'enum.in', message: `${path} must be one of ${r.in.join(', ')}, got ${shown}` });
    if (r.not_in && r.not_in.map(Number).includes(n)) out.push({ path, rule: 'enum.not_in', message: `${path} must be none of ${r.not_in.join(', ')}, got ${shown}` });
  }
}

/** The rule kind that applies to one (non-repeated) value of this field. */
function valueKind(field: protobuf.Field): string {
  if (field.resolvedType instanceof protobuf.Enum) return 'enum';
  if (field.resolvedType instanceof protobuf.Type) return 'message';
  return field.type;
}

/** Validates a single value of `field` (an element for repeated fields) against `rules`, recursing into messages. */
function checkValue(field: protobuf.Field, value: unknown, rules: Rules | undefined, path: string, out: FieldViolation[]): void {
  const kind = valueKind(field);
  if (kind === 'message') {
    if (rules?.message?.required && isAbsent(value)) {
      out.push({ path, rule: 'message.required', message: `${path} is required` });
      return;
    }
    if (!isAbsent(value) && !rules?.message?.skip) validateType(field.resolvedType as protobuf.Type, value as Record<string, unknown>, path, out);
    return;
  }
  const r = rules?.[kind];
  if (r) checkScalar(field, kind, value, r, path, out);
}

function validateField(field: protobuf.Field, value: unknown, path: string, out: FieldViolation[]): void {
  const rules = fieldRules(field);
  if (rules) assertSupported(rules, path);
  if (field.map) {
    const entries = Object.entries((value ?? {}) as Record<string, unknown>);
    const r = rules?.map ?? {};
    if (r.min_pairs !== undefined && entries.length < Number(r.min_pairs)) out.push({ path, rule: 'map.min_pairs', message: `${path} must have at least ${r.min_pairs} entr(ies)` });
    if (r.max_pairs !== undefined && entries.length > Number(r.max_pairs)) out.push({ path, rule: 'map.max_pairs', message: `${path} must have at most ${r.max_pairs} entr(ies)` });
    for (const [key, v] of entries) {
      if (r.keys?.string) checkString(key, r.keys.string, `${path}[${JSON.stringify(key)}]#key`, out);
      checkValue(field, v, r.values, `${path}[${JSON.stringify(key)}]`, out);
    }
    return;
  }
  if (field.repeated) {
    const items = (value ?? []) as unknown[];
    const r = rules?.repeated ?? {};
    if (r.min_items !== undefined && items.length < Number(r.min_items)) out.push({ path, rule: 'repeated.min_items', message: `${path} must have at least ${r.min_items} item(s)` });
    if (r.max_items !== undefined && items.length > Number(r.max_items)) out.push({ path, rule: 'repeated.max_items', message: `${path} must have at most ${r.max_items} item(s)` });
    items.forEach((item, i) => checkValue(field, item, r.items, `${path}[${i}]`, out));
    return;
  }
  // A field inside a oneof that is not the chosen member is not validated (PGV semantics).
  if (field.partOf && isAbsent(value)) return;
  checkValue(field, value, rules, path, out);
}

function validateType(type: protobuf.Type, obj: Record<string, unknown> | null | undefined, prefix: string, out: FieldViolation[]): void {
  const message = obj ?? {};
  for (const field of type.fieldsArray) {
    field.resolve();
    validateField(field, message[field.name], prefix ? `${prefix}.${field.name}` : field.name, out);
  }
}

/** Every `(validate.rules)` violation in `message`, an object of type `typeName` (e.g. `grpc.piped.service.InstallToolRequest`). */
export function validateMessage(root: protobuf.Root, typeName: string, message: unknown): FieldViolation[] {
  const out: FieldViolation[] = [];
  validateType(root.lookupType(typeName), message as Record<string, unknown>, '', out);
  return out;
}

/** One line per violation, for error messages and reports. */
export function describeViolations(violations: FieldViolation[]): string {
  return violations.map((v) => `${v.path}: ${v.message.replace(`${v.path} `, '')} [${v.rule}]`).join('; ');
}
