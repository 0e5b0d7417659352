import { z } from 'zod';
import { isDatabaseUnavailable } from '../db/client.ts';
import { LoginFailedError, type LoginContext, type LoginFailureReason } from '../links/errors.ts';
import type { LinkResult, LinkService } from '../links/linkService.ts';
import type { Logger } from '../log.ts';
import { confirmationPage, resultPage, type ResultTone, type Site } from './pages.ts';
import type { HttpResponse, RouteHandler } from './server.ts';

const state = z.string().regex(/^[\w-]{32,128}$/);
// Unknown parameters are ignored: the SSO may add some (RFC 9207's `iss`).
const callbackQuery = z.union([
  z.object({ state, code: z.string().min(1).max(4096) }),
  z.object({ state: state.optional(), error: z.string().max(200), error_description: z.string().max(2000).optional() }),
]);
const confirmationForm = z.object({
  confirmation: z.string().max(128),
  action: z.enum(['confirm', 'cancel']),
});

const TRY_AGAIN = 'Use /link in Discord to start again.';

interface PageText {
  status: number;
  tone: ResultTone;
  title: string;
  paragraphs: string[];
}

const page = (status: number, tone: ResultTone, title: string, ...paragraphs: string[]): PageText => ({ status, tone, title, paragraphs });

/** The one place that turns a refusal into words. Amber: the user can fix it with /link; red: something failed. */
const FAILURE_PAGES: Record<LoginFailureReason, (login: LoginContext | undefined) => PageText> = {
  state_missing: () => page(400, 'attention', 'This login link is incomplete', 'The address is missing its login state.', TRY_AGAIN),
  state_unknown: () => page(400, 'attention', 'This login link is not valid', 'It was already used, or it was not made by this bot.', TRY_AGAIN),
  confirmation_pending: () =>
    page(
      409,
      'attention',
      'This login is waiting for your answer',
      'This page was already opened: press Confirm or Cancel on the page that showed first after the EVE login. For safety it is shown only once.',
      'Closed it? Nothing was linked: run /link in Discord again.',
    ),
  state_expired: () => page(400, 'attention', 'This login link has expired', 'Login links are valid for a limited time. Nothing was linked.', TRY_AGAIN),
  code_missing: () =>
    page(400, 'failure', 'EVE login did not finish', 'The EVE login did not send back its authorization code, so the bot cannot finish this login. Nothing was linked.', TRY_AGAIN),
  sso_denied: () => page(400, 'attention', 'Login cancelled', 'You did not authorize the bot on the EVE login page, so nothing was linked.', TRY_AGAIN),
  sso_error: () => page(400, 'failure', 'EVE login did not complete', 'The EVE login server reported a problem with this login. Nothing was linked.', TRY_AGAIN),
  exchange_failed: () =>
    page(502, 'failure', 'EVE login is not answering', 'The EVE login server could not be reached to finish the login. Nothing was linked.', 'Try /link again in a minute.'),
  exchange_rejected: () => page(400, 'failure', 'EVE login was refused', 'The EVE login server refused this login (it may have taken too long). Nothing was linked.', TRY_AGAIN),
  token_invalid: () => page(400, 'failure', 'EVE login could not be verified', 'The answer of the EVE login server failed verification. Nothing was linked.', TRY_AGAIN),
  misconfigured: () => page(502, 'failure', 'The bot is misconfigured', "The EVE application of this bot was refused by the EVE login server. Please tell the bot's operator."),
  already_linked: (login) =>
    page(
      200,
      'success',
      'Already linked — check Discord',
      login?.characterName ? `${login.characterName} was linked with this login; your reply to /link in Discord says so.` : 'This login was already used to link a character; your reply to /link in Discord says so.',
      'You can close this tab.',
    ),
  confirmation_unknown: () => page(400, 'attention', 'This confirmation is not valid', 'It was already answered, or it was not made by this bot. Nothing was changed.', TRY_AGAIN),
  confirmation_expired: () => page(400, 'attention', 'This confirmation has expired', 'It was not answered in time, so the login was cancelled and nothing was linked.', TRY_AGAIN),
};

/**
 * GET <path of EVE_CALLBACK_URL>: where the EVE SSO sends the browser back.
 * It answers with the confirmation page; nothing is linked yet.
 */
export function ssoCallbackRoute(links: LinkService, logger: Logger, site: Site): RouteHandler {
  return ({ url }) =>
    refusals(logger, site, async () => {
      const parsed = callbackQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!parsed.success || !parsed.data.state) {
        // A state but neither code nor error: the SSO came back without finishing, the link itself is fine.
        const query = url.searchParams;
        if (state.safeParse(query.get('state')).success && !query.has('code') && !query.has('error')) throw new LoginFailedError('code_missing');
        throw new LoginFailedError('state_missing');
      }
      const query = parsed.data;
      if ('error' in query) {
        await links.abandon(query.state!, query.error === 'access_denied' ? 'denied' : 'error');
        throw new LoginFailedError(query.error === 'access_denied' ? 'sso_denied' : 'sso_error', query.error.slice(0, 40));
      }
      const pending = await links.callback({ state: query.state, code: query.code });
      return confirmationPage({ ...pending, action: url.pathname, botName: site.botName() });
    });
}

/** POST <path of EVE_CALLBACK_URL>: the confirmation form's answer. */
export function ssoConfirmRoute(links: LinkService, logger: Logger, site: Site): RouteHandler {
  return ({ form }) =>
    refusals(logger, site, async () => {
      const parsed = confirmationForm.safeParse(Object.fromEntries(form ?? []));
      if (!parsed.success) throw new LoginFailedError('confirmation_unknown');
      if (parsed.data.action === 'cancel') {
        const cancelled = await links.cancel(parsed.data.confirmation);
        const text = page(200, 'attention', 'Login cancelled', `${cancelled.characterName} was not linked, and the bot gave up its EVE login.`, 'You can close this tab.');
        return resultPage({ ...text, botName: site.botName(), guildId: cancelled.guildId });
      }
      return resultPage({ ...linkedPage(await links.confirm(parsed.data.confirmation)), botName: site.botName() });
    });
}

function linkedPage(result: LinkResult): PageText & { guildId: bigint | null } {
  const label = `${result.characterName}${result.corporationName ? ` (${result.corporationName})` : ''}`;
  const done = result.event === 'relinked' ? 'Its login was renewed.' : `Your character is now linked to your Discord account${result.isMain ? ', as your main character' : ''}.`;
  return { ...page(200, 'success', `Linked ${label}`, done, 'You can close this tab and return to Discord: try /wallet and /skills.'), guildId: result.guildId };
}

/** Runs a page's work; a refusal becomes its page, anything else a generic page (and the log). */
async function refusals(logger: Logger, site: Site, work: () => Promise<HttpResponse>): Promise<HttpResponse> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LoginFailedError) {
      const log = error.reason === 'misconfigured' ? logger.error.bind(logger) : error.reason === 'already_linked' ? logger.info.bind(logger) : logger.warn.bind(logger);
      log({ reason: error.reason, err: error.cause ?? error }, 'sso callback refused');
      return resultPage({ ...FAILURE_PAGES[error.reason](error.login), botName: site.botName(), guildId: error.login?.guildId });
    }
    logger.error({ err: error }, 'sso callback failed');
    const text = isDatabaseUnavailable(error)
      ? page(503, 'failure', 'The bot is temporarily unavailable', 'Its database is not answering. Nothing was linked.', 'Try /link again in a few minutes.')
      : page(500, 'failure', 'Something went wrong', 'The bot could not finish this login. Nothing was linked.', TRY_AGAIN);
    return resultPage({ ...text, botName: site.botName() });
  }
}

/** GET /sso/start?state=…: a short button URL that redirects to the (long) SSO authorize URL. */
export function ssoStartRoute(links: LinkService, logger: Logger, site: Site): RouteHandler {
  return ({ url }) =>
    refusals(logger, site, async () => {
      const parsed = state.safeParse(url.searchParams.get('state'));
      if (!parsed.success) throw new LoginFailedError('state_missing');
      const target = await links.redirectFor(parsed.data);
      return { status: 302, headers: { Location: target, 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Redirecting to the EVE login…' };
    });
}
