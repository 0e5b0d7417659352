import { RESTEvents, type REST } from 'discord.js';
import type { Metrics } from '../metrics/metrics.ts';

/** Counts a REST instance's requests by method and status, and its rate-limit waits, in the metrics. */
export function observeRest(rest: REST, metrics: Metrics): REST {
  rest.on(RESTEvents.Response, (request, response) => metrics.discordRequests.inc({ method: request.method, status: String(response.status) }));
  rest.on(RESTEvents.RateLimited, (info) => metrics.discordRateLimits.inc({ scope: info.scope ?? (info.global ? 'global' : 'user') }));
  return rest;
}
