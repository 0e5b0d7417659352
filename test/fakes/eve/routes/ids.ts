/** Request-body validation for the POST routes that take an id list. */
import { z } from 'zod';
import { fail, type RouteResult } from './types.ts';

// Both POST schemas: array of int64, minItems 1, maxItems 1000, uniqueItems.
const idList = z
  .array(z.number().int().positive())
  .min(1, 'at least one id is required')
  .max(1000, 'at most 1000 ids are allowed')
  .refine((ids) => new Set(ids).size === ids.length, 'ids must be unique');

export function parseIds(body: unknown): number[] | RouteResult {
  const parsed = idList.safeParse(body);
  if (parsed.success) return parsed.data;
  return fail(400, `Invalid body: ${parsed.error.issues[0]?.message ?? 'expected an array of ids'}`);
}
