import type { HttpResponse } from './server.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Names come from EVE and from whoever ran /link: invisible format characters (bidi overrides) are dropped, so none can make a name read as another. */
function plain(text: string): string {
  return text.replace(/\p{Cf}/gu, '');
}

/** Until Discord says the bot's own name (the pages are served before it connects). */
export const DEFAULT_BOT_NAME = 'EVE corporation bot';

/** What every page says of the bot, known without a network call per page. */
export interface Site {
  /** its name: Discord's username of the bot once connected */
  botName(): string;
  /** the project's home (package.json "homepage"), if it has one */
  projectUrl?: string | undefined;
}

/**
 * What a page looks like at a glance: the accent colour and icon. Green: it
 * worked; red: something failed; amber: the user must do something (an
 * expired or used link, a cancelled login); question: the confirmation;
 * info: a page that is neither.
 */
export type Tone = 'success' | 'failure' | 'attention' | 'question' | 'info';
export type ResultTone = Extract<Tone, 'success' | 'failure' | 'attention'>;

/**
 * Inline only (the CSP allows nothing else; the icons are inline SVG, which
 * img-src does not govern); dark like Discord, every colour at least 4.5:1 on
 * its background; one column that keeps its margin on a 390 px phone, and
 * long unbroken names wrap instead of scrolling sideways.
 */
const STYLE = [
  ':root{color-scheme:dark}*{box-sizing:border-box}',
  'body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#111418;color:#e6e6e6;display:flex;min-height:100vh;align-items:center;justify-content:center;margin:0;padding:1rem;overflow-wrap:anywhere}',
  'main{width:100%;max-width:30rem;min-width:0;padding:1.25rem 1.5rem 1.5rem;border:1px solid #2c323a;border-top:4px solid var(--accent);border-radius:10px;background:#181c22}',
  '.success{--accent:#57f287}.failure{--accent:#ff7a7a}.attention{--accent:#f0b232}.question,.info{--accent:#8c96f5}',
  'header{font-size:.8rem;font-weight:600;letter-spacing:.03em;color:#a3abb5;margin:0 0 1rem}',
  '.icon{display:block;width:3rem;height:3rem;color:var(--accent);margin:0 0 .75rem}',
  'h1{font-size:1.3rem;line-height:1.35;margin:0 0 .75rem;color:var(--accent)}.question h1{color:#fff}',
  'p{line-height:1.5;margin:.6rem 0}',
  'a{color:#8ab4ff}',
  '.pair{display:flex;align-items:center;justify-content:center;gap:.75rem;margin:0 0 1rem}',
  '.pair img{width:64px;height:64px;border-radius:50%;background:#2c323a;font-size:0;overflow:hidden;flex:none}',
  '.pair span{font-size:1.5rem;color:#8e98a3}',
  '.who{font-weight:600;color:#fff}',
  '.note{color:#a3abb5;font-size:.92rem}',
  'form,.actions{display:flex;gap:.75rem;margin-top:1.25rem;flex-wrap:wrap}',
  'button,.button{flex:1 1 9rem;display:inline-flex;align-items:center;justify-content:center;min-height:2.9rem;font:inherit;font-size:1rem;font-weight:600;border:0;border-radius:6px;cursor:pointer;padding:.6rem 1rem;color:#fff;text-decoration:none}',
  '.confirm{background:#248046}.cancel{background:#4e5058}.discord{background:#4752c4}',
].join('');

/** 24×24, in the accent colour: a check, a cross, a warning sign. Decorative: the title says the same in words. */
const ICONS: Record<ResultTone, string> = {
  success: '<circle cx="12" cy="12" r="11" fill="currentColor"/><path d="M6.5 12.5l3.5 3.5 7.5-8" fill="none" stroke="#181c22" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"/>',
  failure: '<circle cx="12" cy="12" r="11" fill="currentColor"/><path d="M8 8l8 8M16 8l-8 8" fill="none" stroke="#181c22" stroke-width="2.5" stroke-linecap="round"/>',
  attention: '<path d="M12 1.5L23 21.5H1z" fill="currentColor" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/><path d="M12 9v5.5" stroke="#181c22" stroke-width="2.5" stroke-linecap="round"/><circle cx="12" cy="18" r="1.5" fill="#181c22"/>',
};

function icon(tone: ResultTone): string {
  return `<svg class="icon" viewBox="0 0 24 24" width="48" height="48" aria-hidden="true" focusable="false">${ICONS[tone]}</svg>`;
}

/** A whole page around already-escaped body HTML, under a header line naming the bot. */
function htmlDocument(status: number, title: string, tone: Tone, botName: string, bodyHtml: string): HttpResponse {
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(plain(title))} · ${escapeHtml(plain(botName))}</title>
<style>${STYLE}</style>
</head>
<body><main class="${tone}"><header>${escapeHtml(plain(botName))}</header>${bodyHtml}</main></body>
</html>
`;
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body };
}

/**
 * Where "Open Discord" goes: the server /link ran in, or Discord itself
 * (a DM, or a login nothing is known of). The app's link first; the web
 * address for a browser without the app.
 */
export function discordLinks(guildId: bigint | null | undefined): { app: string; web: string } {
  return guildId ? { app: `discord://-/channels/${guildId}`, web: `https://discord.com/channels/${guildId}` } : { app: 'discord://', web: 'https://discord.com/app' };
}

export interface ResultPageInput {
  status: number;
  tone: ResultTone;
  title: string;
  paragraphs: string[];
  botName: string;
  /** the server /link ran in, for "Open Discord"; null or undefined: Discord's home */
  guildId?: bigint | null;
}

/** How a login ended (or did not): icon, title and paragraphs, every value escaped, and the way back to Discord. */
export function resultPage(input: ResultPageInput): HttpResponse {
  const links = discordLinks(input.guildId);
  const html = [
    icon(input.tone),
    `<h1>${escapeHtml(plain(input.title))}</h1>`,
    ...input.paragraphs.map((p) => `<p>${escapeHtml(plain(p))}</p>`),
    `<div class="actions"><a class="button discord" href="${escapeHtml(links.app)}">Open Discord</a></div>`,
    `<p class="note">Discord does not open? <a href="${escapeHtml(links.web)}">Open it in the browser</a>.</p>`,
  ].join('');
  return htmlDocument(input.status, input.title, input.tone, input.botName, html);
}

/** GET /: what this web server is, for whoever opens its address. */
export function homePage(input: { botName: string; projectUrl?: string | undefined }): HttpResponse {
  const html = [
    '<h1>A Discord bot for EVE Online corporations</h1>',
    '<p>Its only web pages are the EVE login of its /link command: run /link in Discord to link a character.</p>',
    input.projectUrl ? `<p><a href="${escapeHtml(input.projectUrl)}">What the bot does, and how to run it</a></p>` : '',
  ].join('');
  return htmlDocument(200, input.botName, 'info', input.botName, html);
}

export interface ConfirmationPageInput {
  characterId: bigint;
  characterName: string;
  account: { username: string; displayName: string; avatarUrl: string | null };
  /** the one-time value the form posts back */
  value: string;
  /** where the form posts: the callback's path */
  action: string;
  expiresAt: Date;
  botName: string;
}

const PORTRAIT = (id: bigint) => `https://images.evetech.net/characters/${id}/portrait?size=64`;
const DISCORD_CDN = /^https:\/\/cdn\.discordapp\.com\/[\w./-]+(\?size=\d+)?$/;

/**
 * "Link <character> to <Discord account>?" before anything is stored: the
 * browser that finished the EVE login may not belong to the Discord user who
 * ran /link (a shared link button), and only that browser sees this page.
 */
export function confirmationPage(input: ConfirmationPageInput): HttpResponse {
  // Each name is isolated (bdi), so none can make the account read as another.
  const character = escapeHtml(plain(input.characterName));
  const display = escapeHtml(plain(input.account.displayName));
  const username = escapeHtml(plain(input.account.username));
  const avatar = input.account.avatarUrl && DISCORD_CDN.test(input.account.avatarUrl) ? input.account.avatarUrl : null;
  const minutes = Math.max(1, Math.round((input.expiresAt.getTime() - Date.now()) / 60_000));
  const title = `Link ${input.characterName} to the Discord account @${input.account.username}?`;
  const html = [
    '<div class="pair">',
    `<img src="${escapeHtml(PORTRAIT(input.characterId))}" alt="Portrait of ${character}" width="64" height="64">`,
    '<span aria-hidden="true">→</span>',
    avatar ? `<img src="${escapeHtml(avatar)}" alt="Avatar of @${username}" width="64" height="64">` : '',
    '</div>',
    // The username is unique on Discord; the display name is whatever its owner chose.
    `<h1>Link <bdi class="who">${character}</bdi> to the Discord account <bdi class="who">@${username}</bdi>?</h1>`,
    `<p class="note">Shown in Discord as <bdi>${display}</bdi>.</p>`,
    '<p>Make sure this is your Discord account: if it is not, someone else started this login, so cancel.</p>',
    `<form method="post" action="${escapeHtml(input.action)}">`,
    `<input type="hidden" name="confirmation" value="${escapeHtml(input.value)}">`,
    '<button class="confirm" type="submit" name="action" value="confirm">Confirm</button>',
    '<button class="cancel" type="submit" name="action" value="cancel">Cancel</button>',
    '</form>',
    `<p class="note">Nothing is linked until you confirm. Without an answer within ${minutes} minute${minutes === 1 ? '' : 's'} the login is cancelled.</p>`,
  ].join('');
  return htmlDocument(200, title, 'question', input.botName, html);
}
