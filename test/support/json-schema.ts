// A small, strict JSON Schema (draft 2020-12) validator for the subset schemas/results.schema.json uses: type,
// properties, required, additionalProperties (false or true), enum, items (one schema), $ref to "#/$defs/NAME", and
// the annotations $schema, $id, title, description, $comment. Strict both ways: a schema using any other keyword is
// refused when compiled (so no keyword is silently ignored), and every error names the JSON pointer of the value.
// No JSON Schema library is among the project's dependencies; this one is for the harness's own tests.

export interface SchemaError {
  /** JSON pointer of the offending value (`` for the root, `/outcomes/3/state`). */
  path: string;
  message: string;
}

export type Validator = (value: unknown) => SchemaError[];

type Schema = Record<string, unknown> | boolean;

const TYPES = new Set(['null', 'boolean', 'object', 'array', 'number', 'string', 'integer']);
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$comment']);
const KEYWORDS = new Set([...ANNOTATIONS, '$defs', '$ref', 'type', 'properties', 'required', 'additionalProperties', 'enum', 'items']);

/** Checks the schema against the supported subset (throws naming the place) and returns its validator. */
export function compileSchema(root: Schema): Validator {
  checkSchema(root, root, '#');
  return (value) => {
    const errors: SchemaError[] = [];
    validateAt(root, root, value, '', errors);
    return errors;
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The subschema a `$ref` names; only `#/$defs/NAME` within the same document. */
function resolveRef(root: Schema, ref: unknown, at: string): Schema {
  const match = typeof ref === 'string' ? /^#\/\$defs\/([^/]+)$/.exec(ref) : null;
  if (!match) throw new Error(`${at}: $ref ${JSON.stringify(ref)} is not supported (only "#/$defs/NAME")`);
  const defs = isObject(root) ? root.$defs : undefined;
  const target = isObject(defs) ? defs[match[1]] : undefined;
  if (target === undefined) throw new Error(`${at}: $ref ${ref} names no definition in $defs`);
  return target as Schema;
}

function checkSchema(root: Schema, schema: unknown, at: string): void {
  if (typeof schema === 'boolean') return;
  if (!isObject(schema)) throw new Error(`${at}: a schema must be an object or a boolean, got ${JSON.stringify(schema)}`);
  for (const key of Object.keys(schema)) {
    if (!KEYWORDS.has(key)) throw new Error(`${at}: keyword "${key}" is not supported by this validator (supported: ${[...KEYWORDS].join(', ')})`);
  }
  if ('$defs' in schema) {
    if (at !== '#') throw new Error(`${at}: $defs is supported only at the root`);
    if (!isObject(schema.$defs)) throw new Error(`${at}/$defs: must be an object`);
    for (const [name, def] of Object.entries(schema.$defs)) checkSchema(root, def, `${at}/$defs/${name}`);
  }
  if ('$ref' in schema) resolveRef(root, schema.$ref, `${at}/$ref`);
  if ('type' in schema) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.length || types.some((t) => typeof t !== 'string' || !TYPES.has(t))) throw new Error(`${at}/type: ${JSON.stringify(schema.type)} is not a JSON Schema type or list of types`);
  }
  if ('properties' in schema) {
    if (!isObject(schema.properties)) throw new Error(`${at}/properties: must be an object`);
    for (const [name, sub] of Object.entries(schema.properties)) checkSchema(root, sub, `${at}/properties/${name}`);
  }
  if ('required' in schema && !(Array.isArray(schema.required) && schema.required.every((r) => typeof r === 'string'))) {
    throw new Error(`${at}/required: must be an array of property names`);
  }
  if ('additionalProperties' in schema && typeof schema.additionalProperties !== 'boolean') {
    throw new Error(`${at}/additionalProperties: only true or false is supported, got ${JSON.stringify(schema.additionalProperties)}`);
  }
  if ('enum' in schema && !(Array.isArray(schema.enum) && schema.enum.length > 0)) throw new Error(`${at}/enum: must be a non-empty array`);
  if ('items' in schema) checkSchema(root, schema.items, `${at}/items`);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'object':
      return isObject(value);
    default:
      return typeOf(value) === type;
  }
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

const pointer = (base: string, key: string | number) => `${base}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

function validateAt(root: Schema, schema: Schema, value: unknown, at: string, errors: SchemaError[]): void {
  if (schema === true) return;
  if (schema === false) {
    errors.push({ path: at, message: 'no value is allowed here' });
    return;
  }
  if ('$ref' in schema) validateAt(root, resolveRef(root, schema.$ref, at), value, at, errors);
  if ('type' in schema) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (!types.some((t) => hasType(value, t))) {
      errors.push({ path: at, message: `must be ${types.join(' or ')}, got ${typeOf(value)}${typeof value === 'number' ? ` ${value}` : ''}` });
      return;
    }
  }
  if ('enum' in schema && !(schema.enum as unknown[]).some((allowed) => jsonEqual(allowed, value))) {
    errors.push({ path: at, message: `must be one of ${(schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}` });
  }
  if (isObject(value)) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[]) {
      if (!Object.hasOwn(value, name)) errors.push({ path: at, message: `required property "${name}" is missing` });
    }
    for (const [name, sub] of Object.entries(value)) {
      if (Object.hasOwn(properties, name)) validateAt(root, properties[name], sub, pointer(at, name), errors);
      else if (schema.additionalProperties === false) errors.push({ path: pointer(at, name), message: `property "${name}" is not allowed (additionalProperties: false)` });
    }
  }
  if (Array.isArray(value) && 'items' in schema) {
    value.forEach((item, i) => validateAt(root, schema.items as Schema, item, pointer(at, i), errors));
  }
}

/** Errors as lines, for assertion messages. */
export function formatSchemaErrors(errors: readonly SchemaError[], max = 20): string {
  const lines = errors.slice(0, max).map((e) => `${e.path || '(root)'}: ${e.message}`);
  return errors.length > max ? [...lines, `… and ${errors.length - max} more`].join('\n') : lines.join('\n');
}
