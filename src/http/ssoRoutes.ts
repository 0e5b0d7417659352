import { z } from 'zod';
import { isDatabaseUnavailable } from '../db/client.ts';
import { LoginFailedError, type LoginFailureReason } from '../links/errors.ts';
import type { LinkResult, LinkService } from '../links/linkService.ts';
import type { Logger } from '../log.ts';
import { confirmationPage, htmlPage } from './pages.ts';
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

const FAILURE_PAGES: Record<LoginFailureReason, () => HttpResponse> = {
  state_missing: () => htmlPage(400, 'This login link is incomplete', ['The address is missing its login state.', TRY_AGAIN]),
  state_unknown: () => htmlPage(400, 'This login link is not valid', ['It was already used, or it was not made by this bot.', TRY_AGAIN]),
  state_expired: () => htmlPage(400, 'This login link has expired', ['Login links are valid for a limited time.', TRY_AGAIN]),
  sso_denied: () => htmlPage(400, 'Login cancelled', ['You did not authorize the bot on the EVE login page, so nothing was linked.', TRY_AGAIN]),
  sso_error: () => htmlPage(400, 'EVE login did not complete', ['The EVE login server reported a problem with this login. Nothing was linked.', TRY_AGAIN]),
  exchange_failed: () =>
    htmlPage(502, 'EVE login is not answering', ['The EVE login server could not be reached to finish the login. Nothing was linked.', `Try /link again in a minute.`]),
  exchange_rejected: () => htmlPage(400, 'EVE login was refused', ['The EVE login server refused this login (it may have taken too long). Nothing was linked.', TRY_AGAIN]),
  token_invalid: () => htmlPage(400, 'EVE login could not be verified', ['The answer of the EVE login server failed verification. Nothing was linked.', TRY_AGAIN]),
  misconfigured: () => htmlPage(502, 'The bot is misconfigured', ['The EVE application of this bot was refused by the EVE login server. Please tell the bot\'s operator.']),
  confirmation_unknown: () => htmlPage(400, 'This confirmation is not valid', ['It was already answered, or it was not made by this bot. Nothing was changed.', TRY_AGAIN]),
  confirmation_expired: () => htmlPage(400, 'This confirmation has expired', ['It was not answered in time, so the login was cancelled and nothing was linked.', TRY_AGAIN]),
};

/**
 * GET <path of EVE_CALLBACK_URL>: where the EVE SSO sends the browser back.
 * It answers with the confirmation page; nothing is linked yet.
 */
export function ssoCallbackRoute(links: LinkService, logger: Logger): RouteHandler {
  return ({ url }) =>
    refusals(logger, async () => {
      const parsed = callbackQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!parsed.success || !parsed.data.state) throw new LoginFailedError('state_missing');
      const query = parsed.data;
      if ('error' in query) {
        await links.abandon(query.state!, query.error === 'access_denied' ? 'denied' : 'error');
        throw new LoginFailedError(query.error === 'access_denied' ? 'sso_denied' : 'sso_error', query.error.slice(0, 40));
      }
      const pending = await links.callback({ state: query.state, code: query.code });
      return confirmationPage({ ...pending, action: url.pathname });
    });
}

/** POST <path of EVE_CALLBACK_URL>: the confirmation form's answer. */
export function ssoConfirmRoute(links: LinkService, logger: Logger): RouteHandler {
  return ({ form }) =>
    refusals(logger, async () => {
      const parsed = confirmationForm.safeParse(Object.fromEntries(form ?? []));
      if (!parsed.success) throw new LoginFailedError('confirmation_unknown');
      if (parsed.data.action === 'cancel') {
        const cancelled = await links.cancel(parsed.data.confirmation);
        return htmlPage(200, 'Login cancelled', [`${cancelled.characterName} was not linked, and the bot gave up its EVE login.`, 'You can close this tab.']);
      }
      return linkedPage(await links.confirm(parsed.data.confirmation));
    });
}

function linkedPage(result: LinkResult): HttpResponse {
  const label = `${result.characterName}${result.corporationName ? ` (${result.corporationName})` : ''}`;
  return htmlPage(200, `Linked ${label}`, [
    result.event === 'relinked' ? 'Its login was renewed.' : `Your character is now linked to your Discord account${result.isMain ? ', as your main character' : ''}.`,
    'You can close this tab and return to Discord: try /wallet and /skills.',
  ]);
}

/** Runs a page's work; a refusal becomes its page, anything else a generic page (and the log). */
async function refusals(logger: Logger, work: () => Promise<HttpResponse>): Promise<HttpResponse> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LoginFailedError) {
      const log = error.reason === 'misconfigured' ? logger.error.bind(logger) : logger.warn.bind(logger);
      log({ reason: error.reason, err: error.cause ?? error }, 'sso callback refused');
      return FAILURE_PAGES[error.reason]();
    }
    logger.error({ err: error }, 'sso callback failed');
    return isDatabaseUnavailable(error)
      ? htmlPage(503, 'The bot is temporarily unavailable', ['Its database is not answering. Nothing was linked.', `Try /link again in a few minutes.`])
      : htmlPage(500, 'Something went wrong', ['The bot could not finish this login. Nothing was linked.', TRY_AGAIN]);
  }
}

/** GET /sso/start?state=…: a short button URL that redirects to the (long) SSO authorize URL. */
export function ssoStartRoute(links: LinkService): RouteHandler {
  return async ({ url }) => {
    const parsed = state.safeParse(url.searchParams.get('state'));
    if (!parsed.success) return FAILURE_PAGES.state_missing();
    const target = await links.redirectFor(parsed.data);
    if (!target) return FAILURE_PAGES.state_unknown();
    return { status: 302, headers: { Location: target, 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Redirecting to the EVE login…' };
  };
}
