/**
 * Discord's limits on what a reply may hold, and the helpers that make a
 * reply fit them. Formatters fit their own text (so a long list ends with
 * "… and N more" rather than mid-line); `fitReply` is the last safety net,
 * and `replyProblems` is what the tests check every formatter with.
 *
 * https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 * https://discord.com/developers/docs/components/reference
 */
import type { Reply } from './command.ts';

export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  /** title, description, field names and values, footer and author of all embeds of a message together */
  total: 6000,
  rows: 5,
  buttonsPerRow: 5,
  customId: 100,
  buttonLabel: 80,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
} as const;

export interface Field {
  name: string;
  value: string;
  inline?: boolean;
}

const ELLIPSIS = '…';

/**
 * A text cut to `max` characters at a line or word boundary when one is
 * close, ending with "…" when anything was cut.
 */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return text.slice(0, Math.max(0, max));
  const room = text.slice(0, max - 1);
  const boundary = Math.max(room.lastIndexOf('\n'), room.lastIndexOf(' '));
  const cut = boundary >= max * 0.8 ? room.slice(0, boundary) : room;
  return `${cut.trimEnd()}${ELLIPSIS}`;
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
      return out.length > 0 ? `${out.join(separator)}${separator}${note}` : fitText(note, max);
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
    .map((f) => ({ ...f, name: fitText(f.name, DISCORD_LIMITS.fieldName), value: fitText(f.value, DISCORD_LIMITS.fieldValue) }));
  const total = (list: Field[]) => list.reduce((sum, f) => sum + f.name.length + f.value.length, used);
  if (clean.length <= DISCORD_LIMITS.fields && total(clean) <= DISCORD_LIMITS.total) return clean;
  // Drop fields from the end until the rest and a note saying so fit.
  for (let keep = Math.min(clean.length, DISCORD_LIMITS.fields - 1); keep >= 0; keep -= 1) {
    const candidate = [...clean.slice(0, keep), dropped(clean.length - keep)];
    if (total(candidate) <= DISCORD_LIMITS.total) return candidate;
  }
  return [];
}

/** A description made of a head, a list and warnings: the list gives way, never the head or the warnings. */
export function fitDescription(parts: { head?: string; lines: readonly string[]; more: (left: number) => string; separator?: string; tail?: string }, max: number = DISCORD_LIMITS.description): string {
  const head = parts.head ? `${parts.head}\n\n` : '';
  const tail = parts.tail ? `\n\n${parts.tail}` : '';
  const room = max - head.length - tail.length;
  if (room <= 0) return fitText(`${head}${tail.trimStart()}`, max);
  const list = fitLines(parts.lines, room, parts.more, parts.separator);
  return `${head}${list}${tail}`.trim();
}

// ---- checking and enforcing a whole reply ----

type Json = Record<string, any>;

function toJson(value: unknown): Json {
  const maybe = value as { toJSON?: () => Json };
  return typeof maybe?.toJSON === 'function' ? maybe.toJSON() : ((value ?? {}) as Json);
}

const len = (value: unknown) => (typeof value === 'string' ? value.length : 0);

function embedSize(embed: Json): number {
  const fields: Json[] = Array.isArray(embed.fields) ? embed.fields : [];
  return len(embed.title) + len(embed.description) + len(embed.footer?.text) + len(embed.author?.name) + fields.reduce((s, f) => s + len(f.name) + len(f.value), 0);
}

/** Every limit a reply breaks, as readable strings ("embeds[0].description: 4200 > 4096"); empty when it fits. */
export function replyProblems(reply: Pick<Reply, 'content' | 'embeds' | 'components'>): string[] {
  const problems: string[] = [];
  const over = (path: string, value: unknown, limit: number) => {
    if (len(value) > limit) problems.push(`${path}: ${len(value)} > ${limit}`);
  };
  over('content', reply.content, DISCORD_LIMITS.content);
  const embeds = (reply.embeds ?? []).map(toJson);
  if (embeds.length > DISCORD_LIMITS.embeds) problems.push(`embeds: ${embeds.length} > ${DISCORD_LIMITS.embeds}`);
  let total = 0;
  embeds.forEach((embed, i) => {
    over(`embeds[${i}].title`, embed.title, DISCORD_LIMITS.title);
    over(`embeds[${i}].description`, embed.description, DISCORD_LIMITS.description);
    over(`embeds[${i}].footer`, embed.footer?.text, DISCORD_LIMITS.footer);
    over(`embeds[${i}].author`, embed.author?.name, DISCORD_LIMITS.authorName);
    const fields: Json[] = Array.isArray(embed.fields) ? embed.fields : [];
    if (fields.length > DISCORD_LIMITS.fields) problems.push(`embeds[${i}].fields: ${fields.length} > ${DISCORD_LIMITS.fields}`);
    fields.forEach((f, j) => {
      over(`embeds[${i}].fields[${j}].name`, f.name, DISCORD_LIMITS.fieldName);
      over(`embeds[${i}].fields[${j}].value`, f.value, DISCORD_LIMITS.fieldValue);
      if (len(f.name) === 0 || len(f.value) === 0) problems.push(`embeds[${i}].fields[${j}]: empty name or value`);
    });
    total += embedSize(embed);
  });
  if (total > DISCORD_LIMITS.total) problems.push(`embeds: ${total} characters > ${DISCORD_LIMITS.total}`);
  const rows = (reply.components ?? []).map(toJson);
  if (rows.length > DISCORD_LIMITS.rows) problems.push(`components: ${rows.length} rows > ${DISCORD_LIMITS.rows}`);
  rows.forEach((row, i) => {
    const items: Json[] = Array.isArray(row.components) ? row.components : [];
    if (items.length > DISCORD_LIMITS.buttonsPerRow) problems.push(`components[${i}]: ${items.length} > ${DISCORD_LIMITS.buttonsPerRow}`);
    items.forEach((item, j) => {
      over(`components[${i}][${j}].custom_id`, item.custom_id, DISCORD_LIMITS.customId);
      over(`components[${i}][${j}].label`, item.label, DISCORD_LIMITS.buttonLabel);
      if (Array.isArray(item.options) && item.options.length > DISCORD_LIMITS.choices) problems.push(`components[${i}][${j}].options: ${item.options.length} > ${DISCORD_LIMITS.choices}`);
    });
  });
  return problems;
}

/** Autocomplete choices Discord accepts: at most 25, names 1–100 characters, values at most 100. */
export function fitChoices<T extends { name: string; value: string }>(choices: readonly T[]): T[] {
  return choices
    .filter((c) => c.value.length > 0 && c.value.length <= DISCORD_LIMITS.choiceValue)
    .slice(0, DISCORD_LIMITS.choices)
    .map((c) => ({ ...c, name: fitText(c.name, DISCORD_LIMITS.choiceName) || c.value.slice(0, DISCORD_LIMITS.choiceName) }));
}

/**
 * The last safety net: a reply that still breaks a limit is cut (text
 * shortened with "…", fields and embeds past the limits dropped) instead of
 * failing at Discord. `cut` lists what had to change, for the log: a
 * formatter that relies on this has a bug.
 */
export function fitReply(reply: Reply): { reply: Reply; cut: string[] } {
  const cut = replyProblems(reply);
  if (cut.length === 0) return { reply, cut };
  const fitted: Reply = { ...reply };
  if (typeof reply.content === 'string') fitted.content = fitText(reply.content, DISCORD_LIMITS.content);
  if (reply.embeds) {
    let budget: number = DISCORD_LIMITS.total;
    fitted.embeds = reply.embeds.slice(0, DISCORD_LIMITS.embeds).map((raw) => {
      const embed = structuredClone(toJson(raw));
      if (embed.title) embed.title = fitText(embed.title, Math.min(DISCORD_LIMITS.title, budget));
      budget -= len(embed.title);
      if (embed.author?.name) embed.author.name = fitText(embed.author.name, Math.max(0, Math.min(DISCORD_LIMITS.authorName, budget)));
      budget -= len(embed.author?.name);
      if (embed.footer?.text) embed.footer.text = fitText(embed.footer.text, Math.max(0, Math.min(DISCORD_LIMITS.footer, budget)));
      budget -= len(embed.footer?.text);
      if (embed.description) embed.description = fitText(embed.description, Math.max(0, Math.min(DISCORD_LIMITS.description, budget)));
      budget -= len(embed.description);
      const fields: Field[] = [];
      for (const f of (Array.isArray(embed.fields) ? embed.fields : []).slice(0, DISCORD_LIMITS.fields) as Field[]) {
        const name = fitText(f.name || '\u200b', DISCORD_LIMITS.fieldName);
        const value = fitText(f.value || '\u200b', DISCORD_LIMITS.fieldValue);
        if (name.length + value.length > budget) break;
        budget -= name.length + value.length;
        fields.push({ ...f, name, value });
      }
      embed.fields = fields;
      return embed;
    }) as Reply['embeds'];
  }
  return { reply: fitted, cut };
}
