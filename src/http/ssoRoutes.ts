import { z } from 'zod';
import { LoginFailedError, type LoginFailureReason } from '../links/errors.ts';
import type { LinkService } from '../links/linkService.ts';
import type { Logger } from '../log.ts';
import { htmlPage } from './pages.ts';
import type { HttpResponse, RouteHandler } from './server.ts';

const state = z.string().regex(/^[\w-]{32,128}$/);
const callbackQuery = z.union([
  z.object({ state, code: z.string().min(1).max(4096) }).strict(),
  z.object({ state: state.optional(), error: z.string().max(200), error_description: z.string().max(2000).optional() }).loose(),
]);

const TRY_AGAIN = 'Use /link in Discord to start again.';

const FAILURE_PAGES: Record<LoginFailureReason, () => HttpResponse> = {
  state_missing: () => htmlPage(400, 'This login link is incomplete', ['The address is missing its login state.', TRY_AGAIN]),
  state_unknown: () => htmlPage(400, 'This login link is not valid', ['It was already used, or it was not made by this bot.', TRY_AGAIN]),
  state_expired: () => htmlPage(400, 'This login link has expired', ['Login links are valid for 10 minutes.', TRY_AGAIN]),
  sso_denied: () => htmlPage(400, 'Login cancelled', ['You did not authorize the bot on the EVE login page, so nothing was linked.', TRY_AGAIN]),
  sso_error: () => htmlPage(400, 'EVE login did not complete', ['The EVE login server reported a problem with this login. Nothing was linked.', TRY_AGAIN]),
  exchange_failed: () =>
    htmlPage(502, 'EVE login is not answering', ['The EVE login server could not be reached to finish the login. Nothing was linked.', `Try /link again in a minute.`]),
  exchange_rejected: () => htmlPage(400, 'EVE login was refused', ['The EVE login server refused this login (it may have taken too long). Nothing was linked.', TRY_AGAIN]),
  token_invalid: () => htmlPage(400, 'EVE login could not be verified', ['The answer of the EVE login server failed verification. Nothing was linked.', TRY_AGAIN]),
  misconfigured: () => htmlPage(502, 'The bot is misconfigured', ['The EVE application of this bot was refused by the EVE login server. Please tell the bot\'s operator.']),
};

/** GET <path of EVE_CALLBACK_URL>: where the EVE SSO sends the browser back. */
export function ssoCallbackRoute(links: LinkService, logger: Logger): RouteHandler {
  return async ({ url }) => {
    const parsed = callbackQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success || !parsed.data.state) return FAILURE_PAGES.state_missing();
    const query = parsed.data;
    try {
      if ('error' in query) {
        await links.abandon(query.state!, query.error === 'access_denied' ? 'denied' : 'error');
        throw new LoginFailedError(query.error === 'access_denied' ? 'sso_denied' : 'sso_error', query.error.slice(0, 40));
      }
      const result = await links.complete({ state: query.state!, code: (query as { code: string }).code });
      const label = `${result.characterName}${result.corporationName ? ` (${result.corporationName})` : ''}`;
      return htmlPage(200, `Linked ${label}`, [
        result.event === 'relinked' ? 'Its login was renewed.' : 'Your character is now linked to your Discord account.',
        'You can close this tab and return to Discord.',
      ]);
    } catch (error) {
      if (!(error instanceof LoginFailedError)) throw error;
      const log = error.reason === 'misconfigured' ? logger.error.bind(logger) : logger.warn.bind(logger);
      log({ reason: error.reason, err: error.cause ?? error }, 'sso callback refused');
      return FAILURE_PAGES[error.reason]();
    }
  };
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
