/**
 * The subset of Discord's markdown the bot's replies use, turned into HTML the
 * way Discord's client shows it (dark theme classes from discordRender.ts).
 * Text is parsed raw and every piece of it is HTML-escaped on the way out, so
 * nothing in a payload can inject markup.
 */

export interface MentionNames {
  /** user id → display name (shown as "@name") */
  users?: Record<string, string>;
  /** role id → name (shown as "@name") */
  roles?: Record<string, string>;
  /** channel id → name (shown as "#name") */
  channels?: Record<string, string>;
}

export interface MarkdownContext {
  /** the moment relative timestamps (<t:…:R>) are measured from */
  now: Date;
  /** IANA zone the reader's clock is in (Discord shows timestamps in local time) */
  timeZone: string;
  names: MentionNames;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Only web links become hrefs; anything else (javascript:, data:) stays text. */
function safeUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

// ---- timestamps ----

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface ClockParts {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: string;
  minute: string;
  second: string;
}

function clockParts(date: Date, timeZone: string): ClockParts {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday')),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/**
 * Discord's relative time (moment's fromNow thresholds): "in a few seconds",
 * "a minute ago", "in 5 minutes", "an hour ago", "3 days ago", "in 2 months".
 */
export function relativeTime(date: Date, now: Date): string {
  const deltaMs = date.getTime() - now.getTime();
  const seconds = Math.round(Math.abs(deltaMs) / 1000);
  const minutes = Math.round(seconds / 60);
  const hours = Math.round(minutes / 60);
  const days = Math.round(hours / 24);
  let phrase: string;
  if (seconds < 45) phrase = 'a few seconds';
  else if (seconds < 90) phrase = 'a minute';
  else if (minutes < 45) phrase = `${minutes} minutes`;
  else if (minutes < 90) phrase = 'an hour';
  else if (hours < 22) phrase = `${hours} hours`;
  else if (hours < 36) phrase = 'a day';
  else if (days < 26) phrase = `${days} days`;
  else if (days < 45) phrase = 'a month';
  else if (days < 320) phrase = `${Math.round(days / 30.4)} months`;
  else if (days < 548) phrase = 'a year';
  else phrase = `${Math.round(days / 365)} years`;
  return deltaMs >= 0 ? `in ${phrase}` : `${phrase} ago`;
}

/** <t:unix:style> as Discord's client writes it (en-GB: "28 November 2026 02:30"). */
export function formatTimestamp(date: Date, style: string, context: Pick<MarkdownContext, 'now' | 'timeZone'>): string {
  const c = clockParts(date, context.timeZone);
  const time = `${c.hour}:${c.minute}`;
  const longDate = `${c.day} ${MONTHS[c.month - 1]} ${c.year}`;
  switch (style) {
    case 't':
      return time;
    case 'T':
      return `${time}:${c.second}`;
    case 'd':
      return `${String(c.day).padStart(2, '0')}/${String(c.month).padStart(2, '0')}/${c.year}`;
    case 'D':
      return longDate;
    case 'F':
      return `${WEEKDAYS[c.weekday]}, ${longDate} ${time}`;
    case 'R':
      return relativeTime(date, context.now);
    default:
      return `${longDate} ${time}`;
  }
}

/** A message's or embed's own timestamp: "Today at 02:30", "Yesterday at 23:10", "25/11/2026 09:00". */
export function calendarTime(date: Date, context: Pick<MarkdownContext, 'now' | 'timeZone'>): string {
  const day = (d: Date) => {
    const c = clockParts(d, context.timeZone);
    return Date.UTC(c.year, c.month - 1, c.day) / 86_400_000;
  };
  const time = formatTimestamp(date, 't', context);
  const difference = day(context.now) - day(date);
  if (difference === 0) return `Today at ${time}`;
  if (difference === 1) return `Yesterday at ${time}`;
  return `${formatTimestamp(date, 'd', context)} ${time}`;
}

// ---- inline ----

interface InlineRule {
  pattern: RegExp;
  /** the rule applies only after this character (or at the start) */
  after?: RegExp;
  render: (match: RegExpExecArray, context: MarkdownContext, inLink: boolean) => string;
}

const pill = (className: string, text: string, title?: string) =>
  `<span class="${className}"${title ? ` title="${escapeHtml(title)}"` : ''}>${escapeHtml(text)}</span>`;

const INLINE_RULES: InlineRule[] = [
  // \* shows a star, not emphasis
  { pattern: /^\\([^0-9A-Za-z\s])/, render: (m) => escapeHtml(m[1]!) },
  { pattern: /^(`+)([\s\S]*?[^`])\1(?!`)/, render: (m) => `<code class="inline">${escapeHtml(m[2]!.trim() || m[2]!)}</code>` },
  {
    pattern: /^<t:(-?\d{1,13})(?::([tTdDfFR]))?>/,
    render: (m, c) => {
      const date = new Date(Number(m[1]) * 1000);
      return pill('timestamp', formatTimestamp(date, m[2] ?? 'f', c), formatTimestamp(date, 'F', c));
    },
  },
  { pattern: /^<@!?(\d{15,21})>/, render: (m, c) => pill('mention', `@${c.names.users?.[m[1]!] ?? 'user'}`) },
  { pattern: /^<@&(\d{15,21})>/, render: (m, c) => pill('mention', `@${c.names.roles?.[m[1]!] ?? 'role'}`) },
  { pattern: /^<#(\d{15,21})>/, render: (m, c) => pill('mention channel', `#${c.names.channels?.[m[1]!] ?? 'channel'}`) },
  { pattern: /^<\/([-_\p{L}\p{N}]{1,32}(?: [-_\p{L}\p{N}]{1,32}){0,2}):(\d{15,21})>/u, render: (m) => pill('mention command', `/${m[1]}`) },
  { pattern: /^<(a?):([A-Za-z0-9_]{2,32}):(\d{15,21})>/, render: (m) => pill('custom-emoji', `:${m[2]}:`) },
  { pattern: /^@(everyone|here)\b/, render: (m) => pill('mention', `@${m[1]}`) },
  {
    // [label](url): masked link; the label may hold other inline markdown
    pattern: /^\[((?:\\.|[^\]\\])+)\]\(\s*<?(https?:\/\/[^\s)>]+)>?\s*\)/,
    render: (m, c, inLink) => {
      const href = safeUrl(m[2]!);
      if (!href || inLink) return renderInline(m[0], c, true, true);
      return `<a class="link" href="${escapeHtml(href)}">${renderInline(m[1]!, c, true)}</a>`;
    },
  },
  {
    // <https://…> is a link without an embed; a bare one is a link too
    pattern: /^<(https?:\/\/[^\s>]+)>/,
    render: (m, _c, inLink) => {
      const href = safeUrl(m[1]!);
      return href && !inLink ? `<a class="link" href="${escapeHtml(href)}">${escapeHtml(m[1]!)}</a>` : escapeHtml(m[0]);
    },
  },
  {
    pattern: /^https?:\/\/[^\s<]+[^<.,:;"')\]\s]/,
    render: (m, _c, inLink) => {
      const href = safeUrl(m[0]);
      return href && !inLink ? `<a class="link" href="${escapeHtml(href)}">${escapeHtml(m[0])}</a>` : escapeHtml(m[0]);
    },
  },
  { pattern: /^\*\*([\s\S]+?)\*\*(?!\*)/, render: (m, c, l) => `<strong>${renderInline(m[1]!, c, l)}</strong>` },
  { pattern: /^__([\s\S]+?)__(?!_)/, render: (m, c, l) => `<u>${renderInline(m[1]!, c, l)}</u>` },
  { pattern: /^\*(?=\S)((?:\*\*|\\[\s\S]|[^\\*])+?)\*(?!\*)/, render: (m, c, l) => `<em>${renderInline(m[1]!, c, l)}</em>` },
  // _ only opens emphasis at a word boundary: snake_case stays as it is
  { pattern: /^_((?:__|\\[\s\S]|[^\\_])+?)_(?![A-Za-z0-9_])/, after: /[^A-Za-z0-9]/, render: (m, c, l) => `<em>${renderInline(m[1]!, c, l)}</em>` },
  { pattern: /^~~([\s\S]+?)~~(?!~)/, render: (m, c, l) => `<s>${renderInline(m[1]!, c, l)}</s>` },
  { pattern: /^\|\|([\s\S]+?)\|\|/, render: (m, c, l) => `<span class="spoiler">${renderInline(m[1]!, c, l)}</span>` },
];

/** Plain text up to the next character that could start a rule. */
const TEXT = /^[\s\S]*?(?=[\\`<@[*_~|h]|$)/;

/** Inline markdown of one run of text (newlines kept: the markup is white-space: pre-wrap). */
export function renderInline(text: string, context: MarkdownContext, inLink = false, literalFirst = false): string {
  let out = '';
  let rest = text;
  let first = literalFirst;
  while (rest.length > 0) {
    let matched = false;
    if (!first) {
      for (const rule of INLINE_RULES) {
        const match = rule.pattern.exec(rest);
        if (!match) continue;
        const before = text[text.length - rest.length - 1];
        if (rule.after && before !== undefined && !rule.after.test(before)) continue;
        out += rule.render(match, context, inLink);
        rest = rest.slice(match[0].length);
        matched = true;
        break;
      }
    }
    first = false;
    if (matched) continue;
    // Not a rule: take the character itself, then plain text up to the next candidate.
    const plain = rest[0]! + (TEXT.exec(rest.slice(1))?.[0] ?? '');
    out += escapeHtml(plain);
    rest = rest.slice(plain.length);
  }
  return out;
}

// ---- blocks ----

type Block =
  | { kind: 'text'; lines: string[] }
  | { kind: 'code'; language: string; code: string }
  | { kind: 'quote'; body: string }
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'subtext'; text: string }
  | { kind: 'list'; ordered: boolean; start: number; items: { depth: number; text: string }[] };

const LIST_ITEM = /^( *)([-*]|\d{1,9}\.) +(\S.*)$/;

/** Splits a text into Discord's block elements; ``` fences first, as Discord does. */
function blocks(text: string, nested = false): Block[] {
  const out: Block[] = [];
  const fence = /```(?:([A-Za-z0-9_+#.-]+)\n)?\n?([\s\S]*?)\n?```/g;
  let last = 0;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    if (m[2] === undefined || m[2].length === 0) continue;
    out.push(...lineBlocks(text.slice(last, m.index), nested));
    out.push({ kind: 'code', language: m[1] ?? '', code: m[2] });
    last = m.index + m[0].length;
    // the newline after a code block belongs to it
    if (text[last] === '\n') last += 1;
  }
  out.push(...lineBlocks(text.slice(last), nested));
  return out;
}

function lineBlocks(text: string, nested: boolean): Block[] {
  if (text.length === 0) return [];
  const lines = text.split('\n');
  // a newline right before a code block belongs to the code block
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  const out: Block[] = [];
  const plain = (line: string) => {
    const previous = out.at(-1);
    if (previous?.kind === 'text') previous.lines.push(line);
    else out.push({ kind: 'text', lines: [line] });
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (!nested && line.startsWith('>>> ')) {
      out.push({ kind: 'quote', body: [line.slice(4), ...lines.slice(i + 1)].join('\n') });
      break;
    }
    if (!nested && /^> /.test(line)) {
      const quoted = [line.slice(2)];
      while (i + 1 < lines.length && /^> /.test(lines[i + 1]!)) quoted.push(lines[++i]!.slice(2));
      out.push({ kind: 'quote', body: quoted.join('\n') });
      continue;
    }
    const heading = /^(#{1,3}) +(\S.*)$/.exec(line);
    if (heading) {
      out.push({ kind: 'heading', level: heading[1]!.length, text: heading[2]! });
      continue;
    }
    const subtext = /^-# +(\S.*)$/.exec(line);
    if (subtext) {
      out.push({ kind: 'subtext', text: subtext[1]! });
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      const ordered = /\d/.test(item[2]!);
      const depth = Math.min(Math.floor(item[1]!.length / 2), 2);
      const previous = out.at(-1);
      if (previous?.kind === 'list' && (depth > 0 || previous.ordered === ordered)) previous.items.push({ depth, text: item[3]! });
      else out.push({ kind: 'list', ordered, start: ordered ? Number.parseInt(item[2]!, 10) : 1, items: [{ depth: 0, text: item[3]! }] });
      continue;
    }
    plain(line);
  }
  return out;
}

function renderList(block: Extract<Block, { kind: 'list' }>, context: MarkdownContext): string {
  const tag = block.ordered ? 'ol' : 'ul';
  const open = (depth: number) => (depth === 0 && block.ordered && block.start !== 1 ? `<${tag} start="${block.start}">` : `<${tag}>`);
  let html = open(0);
  let depth = 0;
  block.items.forEach((item, index) => {
    if (index > 0) {
      if (item.depth > depth) {
        // a deeper item opens a list inside the previous item
        while (depth < item.depth) html += open(++depth);
      } else {
        html += '</li>';
        while (depth > item.depth) {
          html += `</${tag}></li>`;
          depth -= 1;
        }
      }
    }
    html += `<li>${renderInline(item.text, context)}`;
  });
  html += '</li>';
  while (depth > 0) {
    html += `</${tag}></li>`;
    depth -= 1;
  }
  return `${html}</${tag}>`;
}

/** Block and inline markdown of a message's content, an embed's description or a field's value. */
export function renderMarkdown(text: string, context: MarkdownContext, nested = false): string {
  const list = blocks(text, nested);
  return list
    .map((block, index) => {
      switch (block.kind) {
        case 'text': {
          // A blank line before the next block is shown; the line break itself is the block's.
          const body = block.lines.join('\n') + (index < list.length - 1 && block.lines.at(-1) === '' ? '\n' : '');
          return `<span class="text">${renderInline(body, context)}</span>`;
        }
        case 'code':
          return `<pre class="code"><code>${escapeHtml(block.code)}</code></pre>`;
        case 'quote':
          return `<div class="quote"><div class="quote-bar"></div><blockquote>${renderMarkdown(block.body, context, true)}</blockquote></div>`;
        case 'heading':
          return `<h${block.level}>${renderInline(block.text, context)}</h${block.level}>`;
        case 'subtext':
          return `<small class="subtext">${renderInline(block.text, context)}</small>`;
        case 'list':
          return renderList(block, context);
      }
      return '';
    })
    .join('');
}
