/**
 * A small JSON-schema checker for the subset the ESI OpenAPI document uses
 * ($ref, type, properties, required, items, enum, date-time, min/maxItems),
 * so tests can hold the fake's bodies (or the bot's parsers' inputs) against
 * the fixture's response schemas.
 */
import { readFileSync } from 'node:fs';
import { FIXTURE_URL, type HttpMethod } from './spec.ts';

type Schema = Record<string, unknown>;

let fixture: Record<string, any> | undefined;
const doc = () => (fixture ??= JSON.parse(readFileSync(FIXTURE_URL, 'utf8')) as Record<string, any>);

/** The 200 response schema of an operation in the fixture. */
export function responseSchema(method: HttpMethod, path: string): Schema {
  const schema = doc().paths?.[path]?.[method.toLowerCase()]?.responses?.['200']?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`no 200 schema for ${method} ${path}`);
  return schema as Schema;
}

function resolve(schema: Schema): Schema {
  let current = schema;
  while (typeof current.$ref === 'string') {
    const parts = current.$ref.replace(/^#\//, '').split('/');
    current = parts.reduce<any>((node, part) => node?.[part], doc()) as Schema;
    if (!current) throw new Error(`dangling $ref ${String(schema.$ref)}`);
  }
  return current;
}

const typeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;

/** Problems found, as 'path: message'; empty when the value fits. */
export function checkSchema(schema: Schema, value: unknown, at = '$'): string[] {
  const s = resolve(schema);
  const problems: string[] = [];
  const type = s.type as string | undefined;
  const actual = typeOf(value);
  if (type && !(actual === type || (type === 'number' && actual === 'integer'))) return [`${at}: expected ${type}, got ${actual}`];
  if (Array.isArray(s.enum) && !s.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (s.format === 'date-time' && typeof value === 'string' && Number.isNaN(Date.parse(value))) problems.push(`${at}: not a date-time`);
  if (actual === 'array') {
    const list = value as unknown[];
    if (typeof s.minItems === 'number' && list.length < s.minItems) problems.push(`${at}: fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && list.length > s.maxItems) problems.push(`${at}: more than ${s.maxItems} items`);
    if (s.items) list.forEach((item, i) => problems.push(...checkSchema(s.items as Schema, item, `${at}[${i}]`)));
  }
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    for (const name of (s.required as string[] | undefined) ?? []) if (!(name in object)) problems.push(`${at}: missing ${name}`);
    const properties = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const [name, child] of Object.entries(object)) {
      const childSchema = properties[name];
      if (childSchema) problems.push(...checkSchema(childSchema, child, `${at}.${name}`));
      else if (s.additionalProperties === false) problems.push(`${at}: unexpected ${name}`);
    }
  }
  return problems;
}
