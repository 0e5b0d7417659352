/**
 * A recorded Discord message payload (what the fake Discord holds for a reply)
 * as a standalone HTML page in Discord's dark theme, for screenshots and for
 * eyeballing replies. No network: remote images become grey placeholders,
 * uploaded images are inlined as data: URLs.
 *
 *   const html = renderMessagePage(reply, { width: 390, invoker: { name: 'Maya', command: 'wallet' } });
 */
import { calendarTime, escapeHtml, renderInline, renderMarkdown, type MarkdownContext, type MentionNames } from './discordMarkdown.ts';

export { escapeHtml, formatTimestamp, relativeTime, renderInline, renderMarkdown } from './discordMarkdown.ts';
export type { MarkdownContext, MentionNames } from './discordMarkdown.ts';

/** An uploaded file: as the fake records it (Buffer) or as JSON carries it (base64, or a Buffer's toJSON). */
export interface PayloadFile {
  name: string;
  data?: Buffer | string | { type: 'Buffer'; data: number[] };
  contentType?: string;
}

/** The parts of a message payload (or the fake's ReplyView) the renderer reads. */
export interface MessagePayload {
  content?: string | null;
  embeds?: any[];
  components?: any[];
  flags?: number;
  /** attachment objects as Discord returns them ({ filename, size, content_type }) */
  attachments?: any[];
  /** the uploaded bytes, by name: images among them are shown */
  files?: PayloadFile[];
}

export interface RenderOptions {
  /** page width in CSS pixels; under 500 the page is laid out as on a phone (default 800) */
  width?: number;
  /** relative timestamps are measured from here (default: now) */
  now?: Date;
  /** the reader's time zone (default UTC) */
  timeZone?: string;
  /** names for <@id>, <@&id> and <#id> */
  names?: MentionNames;
  /** the bot's display name (default "EVE Corp Bot") */
  botName?: string;
  /** the "Maya used /wallet" line above an interaction's reply */
  invoker?: { name: string; command: string };
  /** the message's own time (default: now) */
  sentAt?: Date;
  /** the page's title */
  title?: string;
}

const EPHEMERAL = 1 << 6;
const COMPONENTS_V2 = 1 << 15;
/** Discord's dark chat background, as [r, g, b]: a screenshot is cropped below the message by it */
export const PAGE_BACKGROUND: [number, number, number] = [0x31, 0x33, 0x38];
/** Discord's embed colour when none is set */
export const DEFAULT_EMBED_COLOR = '#202225';
/** narrower than this, Discord's layout is the phone's: fields stack */
const PHONE_WIDTH = 500;

const hexColor = (color: unknown): string =>
  typeof color === 'number' && Number.isInteger(color) && color > 0 && color <= 0xffffff ? `#${color.toString(16).padStart(6, '0')}` : DEFAULT_EMBED_COLOR;

function fileBytes(file: PayloadFile | undefined): Buffer | undefined {
  const data = file?.data;
  if (!data) return undefined;
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  return Buffer.isBuffer(data) ? data : Buffer.from(data.data);
}

const IMAGE_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };

/** An uploaded image as a data: URL, or undefined for other files and files without bytes. */
function imageDataUrl(file: PayloadFile | undefined): string | undefined {
  const bytes = fileBytes(file);
  const type = IMAGE_TYPES[file?.name.split('.').pop()?.toLowerCase() ?? ''];
  return bytes && type ? `data:${type};base64,${bytes.toString('base64')}` : undefined;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(2)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

class Renderer {
  readonly context: MarkdownContext;
  readonly phone: boolean;
  /** files an embed shows through attachment://name: Discord does not list them again */
  readonly shownInEmbeds = new Set<string>();

  constructor(
    readonly payload: MessagePayload,
    readonly options: RenderOptions,
  ) {
    this.context = { now: options.now ?? new Date(), timeZone: options.timeZone ?? 'UTC', names: options.names ?? {} };
    this.phone = (options.width ?? 800) < PHONE_WIDTH;
  }

  file(name: string): PayloadFile | undefined {
    return this.payload.files?.find((f) => f.name === name);
  }

  /** An image URL that can show offline: data: URLs and attachment://; else undefined (a placeholder is drawn). */
  image(url: unknown): string | undefined {
    if (typeof url !== 'string') return undefined;
    if (url.startsWith('data:image/')) return url;
    if (url.startsWith('attachment://')) {
      const name = url.slice('attachment://'.length);
      const data = imageDataUrl(this.file(name));
      if (data) this.shownInEmbeds.add(name);
      return data;
    }
    return undefined;
  }

  inline(text: unknown): string {
    return typeof text === 'string' ? renderInline(text, this.context) : '';
  }

  markdown(text: unknown): string {
    return typeof text === 'string' ? renderMarkdown(text, this.context) : '';
  }

  embed(embed: any): string {
    const parts: string[] = [];
    if (embed.author?.name) {
      const icon = embed.author.icon_url ? `<span class="author-icon${this.image(embed.author.icon_url) ? '' : ' placeholder'}"></span>` : '';
      parts.push(`<div class="embed-author">${icon}<span>${escapeHtml(embed.author.name)}</span></div>`);
    }
    if (embed.title) {
      const title = this.inline(embed.title);
      parts.push(`<div class="embed-title">${embed.url ? `<a class="link">${title}</a>` : title}</div>`);
    }
    if (embed.description) parts.push(`<div class="embed-description markup">${this.markdown(embed.description)}</div>`);
    const fields: any[] = Array.isArray(embed.fields) ? embed.fields : [];
    if (fields.length > 0) parts.push(this.fields(fields, Boolean(embed.thumbnail?.url)));
    if (embed.image?.url) parts.push(this.picture(embed.image.url, 'embed-image'));
    const footerText = embed.footer?.text ? escapeHtml(embed.footer.text) : '';
    const when = embed.timestamp ? escapeHtml(calendarTime(new Date(embed.timestamp), this.context)) : '';
    if (footerText || when) {
      const icon = embed.footer?.icon_url ? '<span class="footer-icon placeholder"></span>' : '';
      parts.push(`<div class="embed-footer">${icon}<span>${[footerText, when].filter(Boolean).join('<span class="separator">•</span>')}</span></div>`);
    }
    const thumbnail = embed.thumbnail?.url ? this.thumbnail(embed.thumbnail.url) : '';
    return `<article class="embed" style="border-left-color:${hexColor(embed.color)}"><div class="embed-grid"><div class="embed-body">${parts.join('')}</div>${thumbnail}</div></article>`;
  }

  thumbnail(url: unknown): string {
    const src = this.image(url);
    return src ? `<img class="embed-thumbnail" src="${escapeHtml(src)}" alt="">` : '<div class="embed-thumbnail placeholder"></div>';
  }

  picture(url: unknown, className: string): string {
    const src = this.image(url);
    return src ? `<img class="${className}" src="${escapeHtml(src)}" alt="">` : `<div class="${className} placeholder"></div>`;
  }

  /**
   * Discord's field grid: consecutive inline fields share a row, up to three
   * (two beside a thumbnail); a field that is not inline takes a row. On a
   * phone every field takes a row.
   */
  fields(fields: any[], besideThumbnail: boolean): string {
    const perRow = besideThumbnail ? 2 : 3;
    const rows: any[][] = [];
    for (const field of fields) {
      const row = rows.at(-1);
      if (!this.phone && field.inline && row && row.length < perRow && row.every((f) => f.inline)) row.push(field);
      else rows.push([field]);
    }
    const html = rows
      .map((row) =>
        row
          .map((field, index) => {
            const span = 12 / row.length;
            return `<div class="embed-field" style="grid-column:${1 + index * span} / ${1 + (index + 1) * span}"><div class="field-name">${this.inline(field.name)}</div><div class="field-value markup">${this.markdown(field.value)}</div></div>`;
          })
          .join(''),
      )
      .join('');
    return `<div class="embed-fields">${html}</div>`;
  }

  button(button: any): string {
    const style = [1, 2, 3, 4, 5, 6].includes(button.style) ? button.style : 2;
    const className = { 1: 'primary', 2: 'secondary', 3: 'success', 4: 'danger', 5: 'secondary', 6: 'primary' }[style as 1];
    const emoji = button.emoji?.name ? `<span class="button-emoji">${escapeHtml(button.emoji.name)}</span>` : '';
    const label = button.label ? `<span>${escapeHtml(button.label)}</span>` : '';
    // link buttons carry Discord's "opens a website" icon
    const external =
      style === 5
        ? '<svg class="button-link-icon" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M15 2a1 1 0 0 1 1-1h6a1 1 0 0 1 1 1v6a1 1 0 1 1-2 0V4.41l-4.3 4.3a1 1 0 1 1-1.4-1.42L19.58 3H16a1 1 0 0 1-1-1Z"/><path fill="currentColor" d="M5 2a3 3 0 0 0-3 3v14a3 3 0 0 0 3 3h14a3 3 0 0 0 3-3v-6a1 1 0 1 0-2 0v6a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h6a1 1 0 1 0 0-2H5Z"/></svg>'
        : '';
    return `<span class="button ${className}${button.disabled ? ' disabled' : ''}">${emoji}${label}${external}</span>`;
  }

  select(menu: any): string {
    const label = menu.placeholder ?? (Array.isArray(menu.options) && menu.options.find((o: any) => o.default)?.label) ?? 'Make a selection';
    return `<div class="select${menu.disabled ? ' disabled' : ''}"><span>${escapeHtml(String(label))}</span><svg viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M5.3 9.3a1 1 0 0 1 1.4 0l5.3 5.29 5.3-5.3a1 1 0 1 1 1.4 1.42l-6 6a1 1 0 0 1-1.4 0l-6-6a1 1 0 0 1 0-1.42Z"/></svg></div>`;
  }

  /** Action rows (type 1) and, for Components V2 messages, the layout components. */
  component(component: any): string {
    switch (component?.type) {
      case 1:
        return `<div class="action-row">${(component.components ?? []).map((c: any) => this.component(c)).join('')}</div>`;
      case 2:
        return this.button(component);
      case 3:
      case 5:
      case 6:
      case 7:
      case 8:
        return this.select(component);
      case 9: {
        const accessory = component.accessory?.type === 11 ? this.thumbnail(component.accessory.media?.url) : component.accessory ? this.component(component.accessory) : '';
        return `<div class="section"><div class="section-body">${(component.components ?? []).map((c: any) => this.component(c)).join('')}</div>${accessory}</div>`;
      }
      case 10:
        return `<div class="text-display markup">${this.markdown(component.content)}</div>`;
      case 11:
        return this.thumbnail(component.media?.url);
      case 12:
        return `<div class="gallery">${(component.items ?? []).map((item: any) => this.picture(item.media?.url, 'gallery-item')).join('')}</div>`;
      case 13: {
        const name = typeof component.file?.url === 'string' ? component.file.url.replace(/^attachment:\/\//, '') : 'file';
        this.shownInEmbeds.add(name);
        const bytes = fileBytes(this.file(name));
        return this.fileCard(name, bytes?.length);
      }
      case 14:
        return `<div class="separator-component${component.divider === false ? '' : ' divider'}${component.spacing === 2 ? ' large' : ''}"></div>`;
      case 17:
        return `<div class="container" style="border-left-color:${component.accent_color ? hexColor(component.accent_color) : 'transparent'}">${(component.components ?? []).map((c: any) => this.component(c)).join('')}</div>`;
      default:
        return '';
    }
  }

  fileCard(name: string, size: number | undefined): string {
    const icon =
      '<svg class="file-icon" viewBox="0 0 30 40" aria-hidden="true"><path fill="#f2f3f5" d="M0 3a3 3 0 0 1 3-3h16l11 11v26a3 3 0 0 1-3 3H3a3 3 0 0 1-3-3Z"/><path fill="#c4c9ce" d="M19 0v8a3 3 0 0 0 3 3h8Z"/><path fill="#7b8089" d="M6 18h18v2H6zm0 5h18v2H6zm0 5h12v2H6z"/></svg>';
    return `<div class="file">${icon}<div class="file-text"><span class="file-name">${escapeHtml(name)}</span><span class="file-size">${size === undefined ? '' : escapeHtml(formatSize(size))}</span></div></div>`;
  }

  attachments(): string {
    const listed: any[] = Array.isArray(this.payload.attachments) && this.payload.attachments.length > 0
      ? this.payload.attachments
      : (this.payload.files ?? []).map((f) => ({ filename: f.name, size: fileBytes(f)?.length }));
    return listed
      .filter((a) => typeof a?.filename === 'string' && !this.shownInEmbeds.has(a.filename))
      .map((a) => {
        const data = imageDataUrl(this.file(a.filename));
        if (data) return `<img class="attachment-image" src="${escapeHtml(data)}" alt="${escapeHtml(a.filename)}">`;
        if (typeof a.content_type === 'string' && a.content_type.startsWith('image/')) return '<div class="attachment-image placeholder"></div>';
        return this.fileCard(a.filename, typeof a.size === 'number' ? a.size : fileBytes(this.file(a.filename))?.length);
      })
      .join('');
  }

  message(): string {
    const payload = this.payload;
    const flags = payload.flags ?? 0;
    const botName = this.options.botName ?? 'EVE Corp Bot';
    const sentAt = calendarTime(this.options.sentAt ?? this.context.now, this.context);
    const invoker = this.options.invoker
      ? `<div class="reply-context"><span class="spine"></span><span class="mini-avatar"></span><span class="invoker">${escapeHtml(this.options.invoker.name)}</span><span class="used">used</span><span class="command-name">/${escapeHtml(this.options.invoker.command)}</span></div>`
      : '';
    const body: string[] = [];
    if ((flags & COMPONENTS_V2) !== 0) {
      body.push(...(payload.components ?? []).map((c) => this.component(c)));
    } else {
      if (payload.content) body.push(`<div class="content markup">${this.markdown(payload.content)}</div>`);
      // embeds first: an embed's attachment://image is not listed again among the files
      const embeds = (payload.embeds ?? []).map((e) => this.embed(e)).join('');
      body.push(this.attachments());
      if (embeds) body.push(`<div class="embeds">${embeds}</div>`);
      const rows = (payload.components ?? []).map((c) => this.component(c)).join('');
      if (rows) body.push(`<div class="components">${rows}</div>`);
    }
    const ephemeral =
      (flags & EPHEMERAL) !== 0
        ? '<div class="ephemeral"><svg viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M12 5C5.65 5 2.1 10.7 1.4 11.97a.1.1 0 0 0 0 .06C2.1 13.3 5.65 19 12 19s9.9-5.7 10.6-6.97a.1.1 0 0 0 0-.06C21.9 10.7 18.35 5 12 5Zm0 11a4 4 0 1 1 0-8 4 4 0 0 1 0 8Z"/><circle fill="currentColor" cx="12" cy="12" r="2"/></svg><span>Only you can see this</span><span class="separator">•</span><a class="link">Dismiss message</a></div>'
        : '';
    const initials = botName
      .split(/\s+/)
      .map((w) => w[0] ?? '')
      .join('')
      .slice(0, 3);
    return `<div class="message${invoker ? ' has-context' : ''}">${invoker}<div class="avatar">${escapeHtml(initials)}</div><h3 class="header"><span class="username">${escapeHtml(botName)}</span><span class="app-tag">APP</span><time>${escapeHtml(sentAt)}</time></h3>${body.join('')}${ephemeral}</div>`;
  }
}

/** The message's HTML fragment (without page and styles). */
export function renderMessage(payload: MessagePayload, options: RenderOptions = {}): string {
  return new Renderer(payload, options).message();
}

/** A standalone HTML page showing the message as Discord's dark theme does, `width` pixels wide. */
export function renderMessagePage(payload: MessagePayload, options: RenderOptions = {}): string {
  const width = options.width ?? 800;
  const phone = width < PHONE_WIDTH;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=${width}">
<title>${escapeHtml(options.title ?? 'Discord message')}</title>
<style>${STYLES}${phone ? PHONE_STYLES : ''}</style></head>
<body class="${phone ? 'phone' : 'desktop'}" style="width:${width}px">${renderMessage(payload, options)}</body></html>
`;
}

/** Discord's dark theme (2023+ colours), reduced to what a bot's message uses. */
const STYLES = `
*{box-sizing:border-box}
html,body{margin:0;background:#313338}
body{color:#dbdee1;font-family:"gg sans","Noto Sans","Helvetica Neue",Helvetica,Arial,sans-serif;font-size:16px;line-height:1.375;padding:8px 0 12px;-webkit-font-smoothing:antialiased;overflow-wrap:break-word}
.message{position:relative;padding:2px 48px 2px 72px;min-height:44px}
.message.has-context .avatar{top:24px}
.avatar{position:absolute;left:16px;top:2px;width:40px;height:40px;border-radius:50%;background:#5865f2;color:#fff;font-size:14px;font-weight:600;display:flex;align-items:center;justify-content:center;letter-spacing:.5px}
.reply-context{position:relative;display:flex;align-items:center;gap:4px;height:22px;font-size:14px;color:#b5bac1;white-space:nowrap}
.reply-context .spine{position:absolute;left:-36px;top:10px;width:31px;height:12px;border-left:2px solid #4e5058;border-top:2px solid #4e5058;border-top-left-radius:6px}
.mini-avatar{width:16px;height:16px;border-radius:50%;background:#80848e;flex:none}
.invoker{color:#f2f3f5;font-weight:500}
.command-name{color:#00a8fc}
.header{margin:0;font-size:16px;font-weight:500;line-height:22px;display:flex;align-items:center;flex-wrap:wrap}
.username{color:#f2f3f5}
.app-tag{margin-left:4px;background:#5865f2;color:#fff;font-size:10px;font-weight:600;line-height:15px;height:15px;padding:0 4px;border-radius:3px;position:relative;top:1px}
.header time{margin-left:8px;font-size:12px;font-weight:400;color:#949ba4}
.markup{white-space:pre-wrap;word-wrap:break-word}
.content{font-size:16px;line-height:22px}
.markup strong{font-weight:700}
.markup h1,.markup h2,.markup h3{color:#f2f3f5;font-weight:700;margin:8px 0 0;line-height:1.375}
.markup h1{font-size:24px}.markup h2{font-size:20px}.markup h3{font-size:16px}
.markup .subtext{display:block;font-size:12px;line-height:16px;color:#949ba4}
.markup ul,.markup ol{margin:4px 0 0 16px;padding:0;white-space:normal}
.markup li{margin-bottom:4px;white-space:pre-wrap}
.markup ul ul,.markup ol ol{margin-top:4px}
.markup ul{list-style-type:disc}.markup ul ul{list-style-type:circle}
.quote{display:flex;margin:0}
.quote-bar{width:4px;border-radius:4px;background:#4e5058;flex:none}
.quote blockquote{margin:0;padding:0 8px 0 12px;min-width:0}
code.inline{font-family:Consolas,"Andale Mono WT","Andale Mono","Lucida Console","DejaVu Sans Mono",monospace;font-size:85%;line-height:1.125rem;background:#2b2d31;border:1px solid #1e1f22;border-radius:4px;padding:0 .2em;white-space:pre-wrap}
pre.code{margin:6px 0 0;font-family:Consolas,"Andale Mono WT","Andale Mono","Lucida Console","DejaVu Sans Mono",monospace;font-size:14px;line-height:18px;background:#2b2d31;border:1px solid #1e1f22;border-radius:4px;padding:8px;white-space:pre-wrap;color:#dbdee1}
.embed pre.code,.embed code.inline{background:#1e1f22;border-color:#1e1f22}
a.link{color:#00a8fc;text-decoration:none}
.mention{background:rgba(88,101,242,.3);color:#c9cdfb;font-weight:500;border-radius:3px;padding:0 2px}
.timestamp{background:rgba(78,80,88,.48);border-radius:3px;padding:0 2px}
.spoiler{background:#1e1f22;color:transparent;border-radius:3px}
.custom-emoji{color:#949ba4}
.embeds{display:grid;gap:4px;margin-top:4px}
.embed{max-width:516px;background:#2b2d31;border-left:4px solid ${DEFAULT_EMBED_COLOR};border-radius:4px;padding:8px 16px 16px 12px;min-width:0}
.embed-grid{display:flex;align-items:flex-start}
.embed-body{flex:1;min-width:0}
.embed-author{display:flex;align-items:center;margin-top:8px;font-size:14px;font-weight:600;color:#f2f3f5}
.author-icon{width:24px;height:24px;border-radius:50%;background:#4e5058;margin-right:8px}
.embed-title{margin-top:8px;font-size:16px;font-weight:600;line-height:22px;color:#f2f3f5}
.embed-description{margin-top:8px;font-size:14px;line-height:18px}
.embed-fields{display:grid;grid-template-columns:repeat(12,minmax(0,1fr));gap:8px;margin-top:8px}
.embed-field{font-size:14px;line-height:18px;min-width:0}
.field-name{font-weight:600;color:#f2f3f5;margin-bottom:2px}
.field-value{white-space:pre-wrap}
.embed-thumbnail{width:80px;height:80px;border-radius:4px;margin:8px 0 0 16px;flex:none;object-fit:contain}
.placeholder{background:#4e5058}
.embed-image,.gallery-item{display:block;margin-top:16px;max-width:100%;border-radius:4px}
div.embed-image,div.gallery-item{width:400px;max-width:100%;aspect-ratio:16/9}
.embed-footer{display:flex;align-items:center;margin-top:8px;font-size:12px;line-height:16px;font-weight:500;color:#dbdee1}
.footer-icon{width:20px;height:20px;border-radius:50%;margin-right:8px;flex:none}
.separator{margin:0 4px;color:#949ba4}
.embed-footer .separator{color:#dbdee1}
.components{margin-top:4px}
.action-row{display:flex;flex-wrap:wrap;gap:8px;padding:4px 0}
.button{display:inline-flex;align-items:center;justify-content:center;gap:8px;height:32px;min-width:60px;padding:2px 16px;border-radius:8px;font-size:14px;font-weight:500;line-height:16px;color:#fff;white-space:nowrap}
.button.primary{background:#5865f2}.button.secondary{background:#4e5058}.button.success{background:#248046}.button.danger{background:#da373c}
.button.disabled{opacity:.5}
.button-link-icon{width:16px;height:16px}
.select{display:flex;align-items:center;justify-content:space-between;width:100%;max-width:400px;height:40px;padding:8px 8px 8px 12px;background:#1e1f22;border:1px solid #1e1f22;border-radius:4px;color:#949ba4;font-size:14px}
.select svg{width:20px;height:20px;color:#dbdee1}
.file{display:flex;align-items:center;gap:8px;width:100%;max-width:432px;margin-top:8px;padding:16px;background:#2b2d31;border:1px solid #1e1f22;border-radius:8px}
.file-icon{width:30px;height:40px;flex:none}
.file-text{display:flex;flex-direction:column;min-width:0}
.file-name{color:#00a8fc;font-size:16px;line-height:20px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.file-size{color:#949ba4;font-size:12px;line-height:16px}
.attachment-image{display:block;margin-top:8px;max-width:min(100%,550px);max-height:350px;border-radius:8px}
div.attachment-image{width:320px;height:180px}
.ephemeral{display:flex;align-items:center;gap:4px;margin-top:4px;font-size:12px;line-height:16px;color:#949ba4}
.ephemeral svg{width:16px;height:16px}
.ephemeral .separator{margin:0 2px}
.container{background:#2b2d31;border:1px solid #3f4147;border-left-width:4px;border-radius:8px;padding:16px;max-width:600px;margin-top:4px;display:grid;gap:8px}
.section{display:flex;gap:12px;align-items:flex-start}.section-body{flex:1;min-width:0;display:grid;gap:8px}
.section .embed-thumbnail{margin:0}
.text-display{font-size:16px;line-height:22px}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(120px,1fr));gap:4px}.gallery .gallery-item{margin:0}
.separator-component{height:4px}.separator-component.large{height:16px}.separator-component.divider{border-top:1px solid #3f4147;height:1px;margin:4px 0}
`;

/** The phone app: tighter gutters, the embed as wide as the screen. */
const PHONE_STYLES = `
.message{padding:2px 12px 2px 64px}
.avatar{left:12px}
.reply-context .spine{left:-32px;width:27px}
.embed{max-width:none}
.file{max-width:none}
`;
