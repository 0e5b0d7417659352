import { homePage, type Site } from './pages.ts';
import type { RouteHandler } from './server.ts';

/** GET / (and HEAD): names the bot for whoever opens the server's address, instead of a bare "Not found". */
export function homeRoute(site: Site): RouteHandler {
  return () => Promise.resolve(homePage({ botName: site.botName(), projectUrl: site.projectUrl }));
}
