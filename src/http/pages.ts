import type { HttpResponse } from './server.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Inline only (the CSP allows nothing else); dark like Discord; one column that fits a 390 px phone. */
const STYLE = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#111418;color:#e6e6e6;display:flex;min-height:100vh;align-items:center;justify-content:center;margin:0;padding:1rem;box-sizing:border-box}',
  'main{width:100%;max-width:30rem;padding:1.5rem;border:1px solid #2c323a;border-radius:10px;background:#181c22;box-sizing:border-box}',
  'h1{font-size:1.3rem;line-height:1.35;margin:0 0 .75rem}',
  'p{line-height:1.5;margin:.6rem 0}',
  '.ok h1{color:#57f287}.bad h1{color:#f0b232}',
  '.pair{display:flex;align-items:center;justify-content:center;gap:.75rem;margin:0 0 1rem}',
  '.pair img{width:64px;height:64px;border-radius:50%;background:#2c323a;font-size:0;overflow:hidden}',
  '.pair span{font-size:1.5rem;color:#8a929c}',
  '.who{font-weight:600;color:#fff}',
  '.note{color:#a3abb5;font-size:.92rem}',
  'form{display:flex;gap:.75rem;margin-top:1.25rem;flex-wrap:wrap}',
  'button{flex:1 1 9rem;min-height:2.9rem;font-size:1rem;font-weight:600;border:0;border-radius:6px;cursor:pointer;padding:.6rem 1rem}',
  '.confirm{background:#248046;color:#fff}.cancel{background:#4e5058;color:#fff}',
].join('');

/** A whole page around already-escaped body HTML. */
function htmlDocument(status: number, title: string, tone: 'ok' | 'bad' | 'ask', bodyHtml: string): HttpResponse {
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body><main class="${tone}">${bodyHtml}</main></body>
</html>
`;
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body };
}

/** A small self-contained page: a title and paragraphs, every value escaped. Green title for success (2xx), amber otherwise. */
export function htmlPage(status: number, title: string, paragraphs: string[]): HttpResponse {
  const html = `<h1>${escapeHtml(title)}</h1>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}`;
  return htmlDocument(status, title, status < 300 ? 'ok' : 'bad', html);
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
}

const PORTRAIT = (id: bigint) => `https://images.evetech.net/characters/${id}/portrait?size=64`;
const DISCORD_CDN = /^https:\/\/cdn\.discordapp\.com\/[\w./-]+(\?size=\d+)?$/;

/**
 * "Link <character> to <Discord account>?" before anything is stored: the
 * browser that finished the EVE login may not belong to the Discord user who
 * ran /link (a shared link button), and only that browser sees this page.
 */
export function confirmationPage(input: ConfirmationPageInput): HttpResponse {
  // Names come from EVE and from whoever ran /link: invisible format characters (bidi overrides) are dropped,
  // and each name is isolated, so none can make the account read as another.
  const plain = (text: string) => text.replace(/\p{Cf}/gu, '');
  const character = escapeHtml(plain(input.characterName));
  const display = escapeHtml(plain(input.account.displayName));
  const username = escapeHtml(plain(input.account.username));
  const avatar = input.account.avatarUrl && DISCORD_CDN.test(input.account.avatarUrl) ? input.account.avatarUrl : null;
  const minutes = Math.max(1, Math.round((input.expiresAt.getTime() - Date.now()) / 60_000));
  const title = `Link ${plain(input.characterName)} to the Discord account @${plain(input.account.username)}?`;
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
  return htmlDocument(200, title, 'ask', html);
}
