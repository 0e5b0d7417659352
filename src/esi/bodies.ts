/** Reading ESI's response bodies: JSON, zod issues without values, and ESI's error text for logs. */
import type { z } from 'zod';

/** the parsed JSON, or `{ ok: false }` when the text is not JSON */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** zod issues as 'path: code', without the values (a body may hold anything) */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 20).map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.code}`);
}

/** ESI's `{error}` text, shortened, for logs only */
export function errorText(text: string): string | undefined {
  const body = parseJson(text);
  if (body.ok) {
    const message = (body.value as { error?: unknown } | null)?.error;
    if (typeof message === 'string') return message.slice(0, 300);
  }
  const trimmed = text.trim();
  return trimmed ? trimmed.slice(0, 300) : undefined;
}
