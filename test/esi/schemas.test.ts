/**
 * Holds the zod schemas of src/esi/schemas.ts against the OpenAPI fixture:
 * for every route the client uses, a body with only the required fields and
 * one with every field (built from the route's OpenAPI response schema) must
 * pass; removing a required field or giving any declared field the wrong type
 * must fail. So the schemas cannot drift from ESI.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
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
  apply: (value: Json) => Json;
}

/** Every way to break a full body: drop each required property, retype each typed node, 1.5 for each integer. */
function mutations(schema: Schema, path: (string | number)[] = []): Mutation[] {
  const s = resolve(schema);
  const out: Mutation[] = [];
  const at = (p: (string | number)[]) => `$${p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;
  const wrong = wrongValue(s);
  if (wrong !== undefined) out.push({ what: `${at(path)} of the wrong type`, apply: (v) => setAt(v, path, wrong) });
  if (s.type === 'integer') out.push({ what: `${at(path)} not an integer`, apply: (v) => setAt(v, path, 1.5) });
  if (s.type === 'object') {
    for (const [name, property] of Object.entries(s.properties ?? {})) {
      if (s.required?.includes(name)) out.push({ what: `${at([...path, name])} missing`, apply: (v) => setAt(v, [...path, name], undefined) });
      out.push(...mutations(property, [...path, name]));
    }
  }
  if (s.type === 'array' && s.items) out.push(...mutations(s.items, [...path, 0]));
  return out;
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

describe('ESI response schemas', () => {
  it.each(routes)('given route %s, then a body with only the required fields passes', (_key, route) => {
    expectAccepts(route.schema, sample(responseSchema(route.method, route.path), 'required'), 'required-only body');
  });

  it.each(routes)('given route %s, then a body with every field passes', (_key, route) => {
    const body = sample(responseSchema(route.method, route.path), 'all');
    expectAccepts(route.schema, body, 'full body');
  });

  it.each(routes)('given route %s, then a body missing a required field or with a field of the wrong type fails', (_key, route) => {
    const openapi = responseSchema(route.method, route.path);
    const full = sample(openapi, 'all');
    const cases = mutations(openapi);
    expect(cases.length).toBeGreaterThan(0);
    for (const mutation of cases) {
      expect(route.schema.safeParse(mutation.apply(full)).success, `${route.method} ${route.path}: ${mutation.what} was accepted`).toBe(false);
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

  it('given the generator, then it produces what the OpenAPI document describes (sanity check of the test itself)', () => {
    const required = sample(responseSchema('GET', '/characters/{character_id}'), 'required') as Record<string, Json>;
    expect(Object.keys(required).sort()).toEqual(['achievement_score', 'birthday', 'bloodline_id', 'corporation_id', 'gender', 'name', 'race_id']);
    const full = sample(responseSchema('GET', '/characters/{character_id}'), 'all') as Record<string, Json>;
    expect(full).toHaveProperty('alliance_id');
    expect(full).toHaveProperty('security_status', 1234.5);
  });
});
