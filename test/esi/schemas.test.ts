/**
 * Holds each route's two schemas against the OpenAPI fixture.
 * - specSchema (the full document): a body with only the required fields and
 *   one with every field (built from the route's OpenAPI response schema)
 *   pass; removing a required field or giving any declared field the wrong
 *   type fails. So the diagnostics cannot drift from ESI.
 * - schema (what the bot reads): every field it names exists in the spec
 *   with a compatible type and is required only if the spec requires it;
 *   breaking a field it reads fails, breaking any other field does not.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ESI_COMPATIBILITY_DATE, ESI_ROUTES } from '../../src/esi/index.ts';
import { esiErrorSchema } from '../../src/esi/schemas.ts';

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minItems?: number;
};
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const doc = JSON.parse(readFileSync(new URL('../fixtures/esi-openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, Schema> };
};

function resolve(schema: Schema): Schema {
  let current = schema;
  for (let depth = 0; current.$ref; depth++) {
    if (depth > 20) throw new Error(`$ref loop at ${schema.$ref}`);
    const match = /^#\/components\/schemas\/(.+)$/.exec(current.$ref);
    const target = match ? doc.components.schemas[match[1]!] : undefined;
    if (!target) throw new Error(`cannot resolve ${current.$ref}`);
    current = target;
  }
  return current;
}

type Mode = 'required' | 'all';

/** One value that fits the OpenAPI schema: only required properties, or all of them. */
function sample(schema: Schema, mode: Mode): Json {
  const s = resolve(schema);
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0] as Json;
  switch (s.type) {
    case 'object': {
      const out: Record<string, Json> = {};
      for (const [name, property] of Object.entries(s.properties ?? {})) {
        if (mode === 'all' || s.required?.includes(name)) out[name] = sample(property, mode);
      }
      return out;
    }
    case 'array':
      return [...Array(Math.max(1, s.minItems ?? 0))].map(() => sample(s.items ?? {}, mode));
    case 'string':
      if (s.format === 'date-time') return '2026-08-18T11:37:00Z';
      if (s.format === 'date') return '2026-08-18';
      if (s.format === 'uuid') return '3868eaed-8278-4cb7-9709-7d7de9c20dc7';
      return 'text';
    case 'integer':
      return s.format === 'int64' ? 2_112_000_001 : 7;
    case 'number':
      return 1234.5;
    case 'boolean':
      return true;
    case undefined:
      return 'anything'; // untyped (ErrorDetail.value)
    default:
      throw new Error(`generator does not know type ${s.type}`);
  }
}

/** A value of the wrong JSON type for the schema (undefined for untyped schemas). */
function wrongValue(schema: Schema): Json | undefined {
  switch (resolve(schema).type) {
    case 'object':
      return 'not an object';
    case 'array':
      return { not: 'an array' };
    case 'string':
      return 12345;
    case 'integer':
      return 'not an integer';
    case 'number':
      return 'not a number';
    case 'boolean':
      return 'yes';
    default:
      return undefined;
  }
}

interface Mutation {
  what: string;
  /** where in the body */
  path: (string | number)[];
  kind: 'missing' | 'wrong-type';
  apply: (value: Json) => Json;
}

/** Every way to break a full body: drop each required property, retype each typed node, 1.5 for each integer. */
function mutations(schema: Schema, path: (string | number)[] = []): Mutation[] {
  const s = resolve(schema);
  const out: Mutation[] = [];
  const at = (p: (string | number)[]) => `$${p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;
  const wrong = wrongValue(s);
  if (wrong !== undefined) out.push({ what: `${at(path)} of the wrong type`, path, kind: 'wrong-type', apply: (v) => setAt(v, path, wrong) });
  if (s.type === 'integer') out.push({ what: `${at(path)} not an integer`, path, kind: 'wrong-type', apply: (v) => setAt(v, path, 1.5) });
  if (s.type === 'object') {
    for (const [name, property] of Object.entries(s.properties ?? {})) {
      const child = [...path, name];
      if (s.required?.includes(name)) out.push({ what: `${at(child)} missing`, path: child, kind: 'missing', apply: (v) => setAt(v, child, undefined) });
      out.push(...mutations(property, child));
    }
  }
  if (s.type === 'array' && s.items) out.push(...mutations(s.items, [...path, 0]));
  return out;
}

/** the zod schema without an .optional() around it, and whether there was one */
function unwrapOptional(schema: z.ZodType): { inner: z.ZodType; optional: boolean } {
  return schema instanceof z.ZodOptional ? { inner: schema.unwrap() as z.ZodType, optional: true } : { inner: schema, optional: false };
}

/** the JSON type a zod schema accepts, in OpenAPI words */
function zodJsonType(schema: z.ZodType): string {
  if (schema instanceof z.ZodNumber) return schema.isInt ? 'integer' : 'number';
  if (schema instanceof z.ZodString) return 'string';
  if (schema instanceof z.ZodBoolean) return 'boolean';
  if (schema instanceof z.ZodArray) return 'array';
  if (schema instanceof z.ZodObject) return 'object';
  return `unsupported (${schema.def.type})`;
}

/** Problems of a bot schema against the spec: fields the spec lacks, types that differ, required where the spec is optional. */
function specMismatches(ours: z.ZodType, spec: Schema, at = '$'): string[] {
  const s = resolve(spec);
  const type = zodJsonType(ours);
  // Reading an integer as any number is lenient, so fine; the other way round would refuse valid answers.
  if (!(type === s.type || (type === 'number' && s.type === 'integer'))) return [`${at}: ${type} here, ${s.type} in the spec`];
  const problems: string[] = [];
  if (ours instanceof z.ZodObject) {
    for (const [name, field] of Object.entries(ours.shape as Record<string, z.ZodType>)) {
      const property = s.properties?.[name];
      if (!property) {
        problems.push(`${at}.${name}: not in the spec`);
        continue;
      }
      const { inner, optional } = unwrapOptional(field);
      if (!optional && !s.required?.includes(name)) problems.push(`${at}.${name}: required here, optional in the spec`);
      problems.push(...specMismatches(inner, property, `${at}.${name}`));
    }
  }
  if (ours instanceof z.ZodArray) problems.push(...specMismatches(ours.element as z.ZodType, s.items ?? {}, `${at}[]`));
  return problems;
}

/** whether a bot schema reads the value at `path` of a body, and whether it requires it there */
function reads(schema: z.ZodType, path: (string | number)[]): { read: boolean; required: boolean } {
  let node = schema;
  let required = true;
  for (const key of path) {
    const { inner } = unwrapOptional(node);
    let next: z.ZodType | undefined;
    if (typeof key === 'number' && inner instanceof z.ZodArray) next = inner.element as z.ZodType;
    if (typeof key === 'string' && inner instanceof z.ZodObject) next = (inner.shape as Record<string, z.ZodType>)[key];
    if (!next) return { read: false, required: false };
    required = !unwrapOptional(next).optional;
    node = next;
  }
  return { read: true, required };
}

/** a copy of `root` with the value at `path` replaced (undefined: removed) */
function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value as Json;
  const copy = structuredClone(root) as any;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy as Json;
}

function responseSchema(method: string, path: string): Schema {
  const schema = doc.paths[path]?.[method.toLowerCase()]?.responses?.['200']?.content?.['application/json']?.schema as Schema | undefined;
  if (!schema) throw new Error(`the fixture has no 200 body for ${method} ${path}`);
  return schema;
}

function operation(method: string, path: string): Record<string, any> {
  const op = doc.paths[path]?.[method.toLowerCase()] as Record<string, any> | undefined;
  if (!op) throw new Error(`the fixture lacks ${method} ${path}`);
  return op;
}

function expectAccepts(schema: z.ZodType, value: Json, what: string) {
  const result = schema.safeParse(value);
  expect(result.success, `${what}: ${result.success ? '' : JSON.stringify(result.error.issues)}`).toBe(true);
}

const routes = Object.entries(ESI_ROUTES);

describe('ESI route table', () => {
  it('given the fixture, then every route it lists is in ESI_ROUTES and every ESI_ROUTES entry is in the fixture', () => {
    const fixture = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => ['get', 'post', 'put', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const ours = routes.map(([, r]) => `${r.method} ${r.path}`);
    expect([...ours].sort()).toEqual([...fixture].sort());
  });

  it.each(routes)('given route %s, then its scope and rate-limit group are the ones ESI documents', (_key, route) => {
    const op = operation(route.method, route.path);
    const scope = (op.security as Record<string, string[]>[] | undefined)?.[0]?.OAuth2?.[0] ?? null;
    expect(route.scope).toBe(scope);
    expect(route.rateLimitGroup).toBe((op['x-rate-limit'] as { group?: string } | undefined)?.group ?? null);
  });

  it.each(routes)('given route %s, then it requires the compatibility date the client sends', (_key, route) => {
    const op = operation(route.method, route.path);
    const compat = (op.parameters as { name: string; schema?: { enum?: string[] } }[]).find((p) => p.name === 'X-Compatibility-Date');
    expect(compat?.schema?.enum).toContain(ESI_COMPATIBILITY_DATE);
  });
});

describe('ESI spec schemas (diagnostics)', () => {
  it.each(routes)('given route %s, then a body with only the required fields passes', (_key, route) => {
    expectAccepts(route.specSchema, sample(responseSchema(route.method, route.path), 'required'), 'required-only body');
  });

  it.each(routes)('given route %s, then a body with every field passes', (_key, route) => {
    const body = sample(responseSchema(route.method, route.path), 'all');
    expectAccepts(route.specSchema, body, 'full body');
  });

  it.each(routes)('given route %s, then a body missing a required field or with a field of the wrong type fails', (_key, route) => {
    const openapi = responseSchema(route.method, route.path);
    const full = sample(openapi, 'all');
    const cases = mutations(openapi);
    expect(cases.length).toBeGreaterThan(0);
    for (const mutation of cases) {
      expect(route.specSchema.safeParse(mutation.apply(full)).success, `${route.method} ${route.path}: ${mutation.what} was accepted`).toBe(false);
    }
  });

  it("given ESI's error body, then the Error schema matches too", () => {
    const openapi: Schema = { $ref: '#/components/schemas/Error' };
    expectAccepts(esiErrorSchema, sample(openapi, 'required'), 'required-only error');
    expectAccepts(esiErrorSchema, sample(openapi, 'all'), 'full error');
    for (const mutation of mutations(openapi)) {
      expect(esiErrorSchema.safeParse(mutation.apply(sample(openapi, 'all'))).success, mutation.what).toBe(false);
    }
  });

  it('given the checks of the bot schemas, then they catch what they are meant to (sanity check of the test itself)', () => {
    const spec = responseSchema('GET', '/corporations/{corporation_id}');
    expect(specMismatches(z.object({ name: z.string(), ticker: z.string() }), spec)).toEqual([]);
    expect(specMismatches(z.object({ nickname: z.string() }), spec)).toEqual(['$.nickname: not in the spec']);
    expect(specMismatches(z.object({ member_count: z.string() }), spec)).toEqual(['$.member_count: string here, integer in the spec']);
    expect(specMismatches(z.object({ ceo_id: z.number().int() }), spec)).toEqual(['$.ceo_id: required here, optional in the spec']);
    expect(specMismatches(z.object({ tax_rates: z.object({ isk: z.number().int() }) }), spec)).toEqual(['$.tax_rates.isk: integer here, number in the spec']);
    expect(reads(z.array(z.object({ a: z.number().optional() })), [0, 'a'])).toEqual({ read: true, required: false });
    expect(reads(z.object({ a: z.number() }), ['b'])).toEqual({ read: false, required: false });
  });

  it('given the generator, then it produces what the OpenAPI document describes (sanity check of the test itself)', () => {
    const required = sample(responseSchema('GET', '/characters/{character_id}'), 'required') as Record<string, Json>;
    expect(Object.keys(required).sort()).toEqual(['achievement_score', 'birthday', 'bloodline_id', 'corporation_id', 'gender', 'name', 'race_id']);
    const full = sample(responseSchema('GET', '/characters/{character_id}'), 'all') as Record<string, Json>;
    expect(full).toHaveProperty('alliance_id');
    expect(full).toHaveProperty('security_status', 1234.5);
  });
});

describe('ESI route schemas (what the bot reads)', () => {
  it.each(routes)('given route %s, then every field it reads exists in the spec with a compatible type, required only where the spec requires it', (_key, route) => {
    expect(specMismatches(route.schema, responseSchema(route.method, route.path))).toEqual([]);
  });

  it.each(routes)('given route %s, then bodies with only the required fields, with every field, and with unknown fields pass', (_key, route) => {
    const openapi = responseSchema(route.method, route.path);
    expectAccepts(route.schema, sample(openapi, 'required'), 'required-only body');
    const full = sample(openapi, 'all');
    expectAccepts(route.schema, full, 'full body');
    const withExtra = resolve(openapi).type === 'object' ? { ...(full as Record<string, Json>), field_added_by_ccp: { any: 'thing' } } : full;
    expectAccepts(route.schema, withExtra, 'body with an unknown field');
  });

  it.each(routes)('given route %s, then breaking a field it reads fails, and breaking any other field does not', (_key, route) => {
    const openapi = responseSchema(route.method, route.path);
    const full = sample(openapi, 'all');
    for (const mutation of mutations(openapi)) {
      const { read, required } = reads(route.schema, mutation.path);
      const mustFail = read && (mutation.kind === 'wrong-type' || required);
      const accepted = route.schema.safeParse(mutation.apply(full)).success;
      expect(accepted, `${route.method} ${route.path}: ${mutation.what} was ${accepted ? 'accepted' : 'refused'}`).toBe(!mustFail);
    }
  });
});
