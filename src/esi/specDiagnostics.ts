/**
 * Notices when ESI's answers drift from the OpenAPI document of the
 * compatibility date the bot sends (a required field gone, a type changed).
 * Nothing fails because of it: the bot's own schemas decide that. The warning
 * tells the operator to look before a field the bot does read goes too. Once
 * per route and compatibility date, so a drifted route neither floods the log
 * nor is checked again; the issues name paths and problems, never values.
 */
import type { z } from 'zod';
import type { Logger } from '../log.ts';
import { findRoute } from './schemas.ts';

export class SpecDiagnostics {
  readonly #logger: Logger;
  readonly #compatibilityDate: string;
  /** `METHOD /openapi/{path}|date` already warned about */
  readonly #warned = new Set<string>();

  constructor(logger: Logger, compatibilityDate: string) {
    this.#logger = logger;
    this.#compatibilityDate = compatibilityDate;
  }

  /** Checks an accepted body of a known route against its spec schema; warns on the first mismatch. */
  check(method: string, path: string, body: unknown): void {
    const route = findRoute(method, path);
    if (!route) return;
    const name = `${route.method} ${route.path}`;
    const key = `${name}|${this.#compatibilityDate}`;
    if (this.#warned.has(key)) return;
    const result = route.specSchema.safeParse(body);
    if (result.success) return;
    this.#warned.add(key);
    this.#logger.warn(
      { route: name, compatibilityDate: this.#compatibilityDate, issues: specIssues(result.error) },
      'esi answer differs from the OpenAPI document (the bot reads it anyway; logged once per route)',
    );
  }
}

/** distinct 'path: code' with array indexes folded to `*`, so 1000 rows missing one field make one line */
function specIssues(error: z.ZodError): string[] {
  const seen = new Set<string>();
  for (const issue of error.issues) {
    const path = issue.path.map((part) => (typeof part === 'number' ? '*' : String(part))).join('.');
    seen.add(`${path || '(body)'}: ${issue.code}`);
    if (seen.size >= 20) break;
  }
  return [...seen];
}
