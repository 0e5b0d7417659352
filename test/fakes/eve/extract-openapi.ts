/**
 * Regenerates test/fixtures/esi-openapi.json from CCP's full ESI OpenAPI
 * document (esi.evetech.net/meta/openapi-3.0.json), keeping only the routes in
 * spec.ts ROUTES and every component they reference, so the fixture is small
 * and self-contained.
 *
 *   npx tsx test/fakes/eve/extract-openapi.ts path/to/esi-openapi-YYYY-MM-DD.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FIXTURE_URL, ROUTES } from './spec.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function extract(full: JsonObject): JsonObject {
  const paths = full.paths as JsonObject;
  const components = full.components as JsonObject;
  const outPaths: JsonObject = {};
  for (const route of ROUTES) {
    const item = paths[route.path];
    const op = isObject(item) ? item[route.method.toLowerCase()] : undefined;
    if (!isObject(item) || !op) throw new Error(`source document lacks ${route.method} ${route.path}`);
    const kept: JsonObject = isObject(outPaths[route.path]) ? (outPaths[route.path] as JsonObject) : {};
    kept[route.method.toLowerCase()] = op;
    // path-level parameters, if any, belong to every method
    if (item.parameters) kept.parameters = item.parameters;
    outPaths[route.path] = kept;
  }

  // Follow $refs transitively: '#/components/<section>/<name>'.
  const wanted = new Map<string, Set<string>>();
  const queue: Json[] = [outPaths];
  const visit = (node: Json) => {
    if (Array.isArray(node)) node.forEach((child) => queue.push(child));
    else if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') {
          const match = /^#\/components\/([^/]+)\/(.+)$/.exec(value);
          if (!match) throw new Error(`unsupported $ref ${value}`);
          const [, section, name] = match as unknown as [string, string, string];
          const names = wanted.get(section) ?? new Set<string>();
          if (!names.has(name)) {
            names.add(name);
            wanted.set(section, names);
            const target = (components[section] as JsonObject | undefined)?.[name];
            if (target === undefined) throw new Error(`dangling $ref ${value}`);
            queue.push(target);
          }
        } else queue.push(value);
      }
    }
  };
  while (queue.length > 0) visit(queue.shift()!);

  const outComponents: JsonObject = {};
  for (const [section, names] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
    const source = components[section] as JsonObject;
    outComponents[section] = Object.fromEntries([...names].sort().map((name) => [name, source[name]!]));
  }
  // `security: [{OAuth2: [...]}]` names the scheme without a $ref: keep it whole
  // (its scope list is what the fake SSO accepts at /authorize).
  outComponents.securitySchemes = components.securitySchemes as JsonObject;

  return {
    openapi: full.openapi!,
    info: full.info!,
    servers: full.servers ?? [],
    paths: outPaths,
    components: outComponents,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = process.argv[2];
  if (!source) {
    console.error('usage: tsx test/fakes/eve/extract-openapi.ts <full esi openapi.json>');
    process.exit(2);
  }
  const out = extract(JSON.parse(readFileSync(source, 'utf8')) as JsonObject);
  writeFileSync(FIXTURE_URL, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${fileURLToPath(FIXTURE_URL)}: ${Object.keys(out.paths as JsonObject).length} paths`);
}
