/** Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). */
export const EMBED_LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, total: 6000 } as const;

export interface Field {
  name: string;
  value: string;
}

/**
 * As many lines as fit in `max` characters; when some are left out, the
 * last line says how many (`more(n)`), so a long list never breaks the embed.
 */
export function fitLines(lines: readonly string[], max: number, more: (left: number) => string, separator = '\n'): string {
  const out: string[] = [];
  let length = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const tail = i < lines.length - 1 ? separator.length + more(lines.length - i - 1).length : 0;
    const next = length + (out.length > 0 ? separator.length : 0) + line.length;
    if (next + tail > max) {
      const note = more(lines.length - i);
      return out.length > 0 ? `${out.join(separator)}${separator}${note}` : note.slice(0, max);
    }
    out.push(line);
    length = next;
  }
  return out.join(separator);
}

/**
 * Fields within the per-field limits, and together with the rest of the embed
 * (`used` characters) within the 6000 total and 25 fields: fields that do not
 * fit are dropped and the last kept one says so.
 */
export function fitFields(fields: readonly Field[], used: number, dropped: (n: number) => Field): Field[] {
  const clean = fields
    .filter((f) => f.value.trim().length > 0)
    .map((f) => ({ name: f.name.slice(0, EMBED_LIMITS.fieldName), value: f.value.slice(0, EMBED_LIMITS.fieldValue) }));
  const total = (list: Field[]) => list.reduce((sum, f) => sum + f.name.length + f.value.length, used);
  if (clean.length <= EMBED_LIMITS.fields && total(clean) <= EMBED_LIMITS.total) return clean;
  // Drop fields from the end until the rest and a note saying so fit.
  for (let keep = Math.min(clean.length, EMBED_LIMITS.fields - 1); keep >= 0; keep -= 1) {
    const candidate = [...clean.slice(0, keep), dropped(clean.length - keep)];
    if (total(candidate) <= EMBED_LIMITS.total) return candidate;
  }
  return [];
}
