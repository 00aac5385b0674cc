// The test-only JSON Schema validator (test/support/json-schema.ts): each supported keyword, error paths, and the
// refusal of every keyword it does not implement, so schemas/results.schema.json cannot lean on an ignored one.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/protocol/load.js';
import { compileSchema, formatSchemaErrors } from '../../support/json-schema.js';

const paths = (errors: { path: string }[]) => errors.map((e) => e.path);

describe('compileSchema: validation', () => {
  it('type: one type or a list; integer is a whole number; object is not an array or null', () => {
    const integer = compileSchema({ type: 'integer' });
    expect(integer(3)).toEqual([]);
    expect(integer(3.5)).toEqual([{ path: '', message: 'must be integer, got number 3.5' }]);
    expect(integer('3')).toHaveLength(1);
    const nullable = compileSchema({ type: ['string', 'null'] });
    expect(nullable(null)).toEqual([]);
    expect(nullable('x')).toEqual([]);
    expect(nullable(1)[0].message).toBe('must be string or null, got number 1');
    const object = compileSchema({ type: 'object' });
    expect(object([])).toHaveLength(1);
    expect(object(null)).toHaveLength(1);
    expect(compileSchema({ type: 'number' })(Number.NaN)).toHaveLength(1);
    expect(compileSchema({ type: 'boolean' })(false)).toEqual([]);
  });

  it('properties, required and additionalProperties: false, with JSON-pointer paths', () => {
    const validate = compileSchema({
      type: 'object',
      additionalProperties: false,
      required: ['a', 'b'],
      properties: { a: { type: 'string' }, b: { type: 'object', properties: { 'x/y': { type: 'integer' } } } },
    });
    expect(validate({ a: 'ok', b: { 'x/y': 1, other: true } })).toEqual([]);
    const errors = validate({ a: 1, b: { 'x/y': 'no' }, c: 0 });
    expect(paths(errors)).toEqual(['/a', '/b/x~1y', '/c']);
    expect(errors[2].message).toBe('property "c" is not allowed (additionalProperties: false)');
    expect(validate({})).toEqual([
      { path: '', message: 'required property "a" is missing' },
      { path: '', message: 'required property "b" is missing' },
    ]);
  });

  it('enum compares JSON values, objects and arrays included', () => {
    const validate = compileSchema({ enum: ['a', 1, null, [1, 2], { k: 'v' }] });
    for (const ok of ['a', 1, null, [1, 2], { k: 'v' }]) expect(validate(ok), JSON.stringify(ok)).toEqual([]);
    for (const bad of ['b', 2, [2, 1], { k: 'w' }, { k: 'v', x: 1 }]) expect(validate(bad), JSON.stringify(bad)).toHaveLength(1);
    expect(validate('b')[0].message).toBe('must be one of "a", 1, null, [1,2], {"k":"v"}, got "b"');
  });

  it('items applies one schema to every element', () => {
    const validate = compileSchema({ type: 'array', items: { type: 'string', enum: ['x', 'y'] } });
    expect(validate(['x', 'y', 'x'])).toEqual([]);
    expect(paths(validate(['x', 'z', 3]))).toEqual(['/1', '/2']);
  });

  it('$ref to #/$defs/NAME, also from inside $defs and with sibling keywords', () => {
    const validate = compileSchema({
      type: 'object',
      properties: { list: { type: 'array', items: { $ref: '#/$defs/item' } } },
      $defs: { item: { type: 'object', required: ['id'], properties: { id: { $ref: '#/$defs/id' } } }, id: { type: 'string' } },
    });
    expect(validate({ list: [{ id: 'a' }] })).toEqual([]);
    expect(validate({ list: [{ id: 1 }, {}] })).toEqual([
      { path: '/list/0/id', message: 'must be string, got number 1' },
      { path: '/list/1', message: 'required property "id" is missing' },
    ]);
  });

  it('boolean schemas and annotations', () => {
    expect(compileSchema(true)(42)).toEqual([]);
    expect(compileSchema(false)(42)).toEqual([{ path: '', message: 'no value is allowed here' }]);
    expect(compileSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', title: 't', description: 'd', $comment: 'c', type: 'string' })('s')).toEqual([]);
  });
});

describe('compileSchema: strictness (what the subset does not support is refused, never ignored)', () => {
  it('refuses unsupported keywords anywhere, naming the place', () => {
    expect(() => compileSchema({ type: 'string', minLength: 1 })).toThrow(/#: keyword "minLength" is not supported/);
    expect(() => compileSchema({ properties: { a: { oneOf: [] } } })).toThrow(/#\/properties\/a: keyword "oneOf" is not supported/);
    expect(() => compileSchema({ $defs: { x: { const: 1 } } })).toThrow(/#\/\$defs\/x: keyword "const"/);
    expect(() => compileSchema({ items: { pattern: 'x' } })).toThrow(/#\/items: keyword "pattern"/);
  });

  it('refuses $ref other than #/$defs/NAME, or naming nothing; $defs below the root; schema-valued additionalProperties', () => {
    expect(() => compileSchema({ $ref: 'other.json' })).toThrow(/\$ref "other.json" is not supported/);
    expect(() => compileSchema({ $ref: '#/$defs/missing' })).toThrow(/names no definition/);
    expect(() => compileSchema({ properties: { a: { $defs: {} } } })).toThrow(/\$defs is supported only at the root/);
    expect(() => compileSchema({ additionalProperties: { type: 'string' } })).toThrow(/only true or false/);
  });

  it('refuses malformed keyword values', () => {
    expect(() => compileSchema({ type: 'text' })).toThrow(/#\/type: "text" is not a JSON Schema type/);
    expect(() => compileSchema({ required: 'a' })).toThrow(/#\/required: must be an array/);
    expect(() => compileSchema({ enum: [] })).toThrow(/#\/enum: must be a non-empty array/);
    expect(() => compileSchema({ properties: [] })).toThrow(/#\/properties: must be an object/);
    expect(() => compileSchema('string' as never)).toThrow(/a schema must be an object or a boolean/);
  });

  it('formats errors one a line, capped', () => {
    const errors = Array.from({ length: 3 }, (_, i) => ({ path: `/${i}`, message: 'bad' }));
    expect(formatSchemaErrors(errors, 2)).toBe('/0: bad\n/1: bad\n… and 1 more');
    expect(formatSchemaErrors([{ path: '', message: 'bad' }])).toBe('(root): bad');
  });
});

describe('schemas/results.schema.json', () => {
  const schema = JSON.parse(readFileSync(path.join(packageRoot(), 'schemas', 'results.schema.json'), 'utf8'));

  it('is a draft 2020-12 schema within the supported subset', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(() => compileSchema(schema)).not.toThrow();
  });

  it('refuses a results.json without provenance, with an unknown outcome state, or with a secret-bearing option', () => {
    const validate = compileSchema(schema);
    const minimal = {
      schemaVersion: 1,
      tool: 'plugin-conformance',
      provenance: {
        harness: { name: 'plugin-conformance', version: '0.1.0' },
        catalogueEdition: 2,
        protocol: { module: 'github.com/pipe-cd/pipecd', version: null, commit: null },
        plugin: { kind: 'address', address: '127.0.0.1:7001' },
        seed: 1,
        options: { pull: false, apps: [], allowNotExercised: false, outDir: 'reports', only: [], skip: [], readyTimeoutMs: 1, graceMs: 1, strict: false, tools: [], properties: { replayFile: false }, rulesEdition: 2, release: false },
      },
      target: 't',
      url: 'u',
      pluginName: 'p',
      verdict: { exitCode: 0, summary: 's', release: true },
      counts: { passed: 1, failed: 0, 'not-exercised': 0, unsupported: 0, skipped: 0, 'setup-error': 0, 'harness-error': 0 },
      outcomes: [{ name: 'PLAN-010 x', ruleId: 'PLAN-010', level: 'MUST', file: 'f', state: 'passed', durationMs: 1, messages: [], edition: 1, gating: true }],
    };
    expect(formatSchemaErrors(validate(minimal))).toBe('');
    const { provenance: _omitted, ...withoutProvenance } = minimal;
    expect(paths(validate(withoutProvenance))).toEqual(['']);
    expect(paths(validate({ ...minimal, outcomes: [{ ...minimal.outcomes[0], state: 'flaky' }] }))).toEqual(['/outcomes/0/state']);
    expect(validate({ ...minimal, outcomes: [{ ...minimal.outcomes[0], state: 'expected-failure', baseline: { entry: 'PLAN-010', reason: 'r' } }] })).toEqual([]);
    const leaky = { ...minimal, provenance: { ...minimal.provenance, options: { ...minimal.provenance.options, registryAuth: 'u:p' } } };
    expect(paths(validate(leaky))).toEqual(['/provenance/options/registryAuth']);
    expect(validate({ ...minimal, shard: { index: 1, total: 2 }, baseline: { file: 'b.yaml' } })).toEqual([]);
  });
});
