import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { reusedFor } from '../util/reused.ts';
import { BOT_VERSION } from '../version.ts';

/**
 * Everything the bot tells Prometheus, in one registry. The services do not
 * know prom-client: each takes a small callback (onRefresh, observer, …) and
 * the composition root points it here. Label values come from fixed sets
 * (command names, outcomes, route templates, status codes), never from user
 * input, so the number of series stays bounded.
 */
export type CommandOutcome = 'ok' | 'refused' | 'error';
export type RefreshOutcome = 'refreshed' | 'shared' | 'transient_failure' | 'dead';
export type CacheResult = 'hit' | 'revalidated' | 'miss' | 'shared';

/** What a scrape reads at that moment (database counts, queue depth, ESI's last limits). */
export interface MetricSources {
  logins?: () => Promise<{ alive: number; dead: number }>;
  queueDepth?: () => Promise<number>;
  /** the ESI client's limits() */
  esiLimits?: () => { errorLimit?: { remain: number }; rateLimits: Record<string, { group: string; remaining?: number }> };
}

const SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Metrics {
  readonly registry = new Registry();
  readonly #sources: MetricSources = {};

  readonly commands = new Counter({ name: 'evebot_commands_total', help: 'Commands and buttons answered, by name and outcome (ok, refused: a user-facing refusal, error: unexpected)', labelNames: ['command', 'outcome'] as const, registers: [this.registry] });
  readonly commandSeconds = new Histogram({ name: 'evebot_command_duration_seconds', help: 'Time from receiving a command to sending its answer', labelNames: ['command'] as const, buckets: SECONDS, registers: [this.registry] });
  readonly ackLag = new Histogram({ name: 'evebot_interaction_ack_lag_seconds', help: "Time from Discord creating an interaction to the bot's first response (reply or deferral); Discord allows 3 s", buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5], registers: [this.registry] });
  readonly refreshes = new Counter({ name: 'evebot_token_refreshes_total', help: 'Access token refreshes by outcome: refreshed, shared (another caller or process refreshed it), transient_failure, dead (the SSO refused the login)', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly esiRequests = new Counter({ name: 'evebot_esi_requests_total', help: 'Requests sent to ESI by route template and status (network failures as status "error")', labelNames: ['route', 'status'] as const, registers: [this.registry] });
  readonly esiCache = new Counter({ name: 'evebot_esi_cache_total', help: "ESI reads by cache result: hit (fresh copy), revalidated (304), shared (joined a request in flight), miss", labelNames: ['result'] as const, registers: [this.registry] });
  readonly discordRequests = new Counter({ name: 'evebot_discord_requests_total', help: 'Requests to the Discord REST API by method and status', labelNames: ['method', 'status'] as const, registers: [this.registry] });
  readonly discordRateLimits = new Counter({ name: 'evebot_discord_rate_limited_total', help: 'Discord 429s and waits for a rate limit, by scope (user, global, shared)', labelNames: ['scope'] as const, registers: [this.registry] });
  readonly jobs = new Counter({ name: 'evebot_jobs_total', help: 'Background jobs run, by task and outcome (done, retry, failed)', labelNames: ['task', 'outcome'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // The usual *_build_info: always 1, the labels are the point (join on it to see which version ran when).
    new Gauge({ name: 'evebot_build_info', help: 'The running bot: its version (package.json) and Node.js version; always 1', labelNames: ['version', 'node'] as const, registers: [this.registry] }).set({ version: BOT_VERSION, node: process.version }, 1);
    const sources = this.#sources;
    new Gauge({
      name: 'evebot_logins',
      help: 'Linked characters by login state: alive (the bot can refresh it) or dead (the member must /link again)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        if (!sources.logins) return;
        const { alive, dead } = await sources.logins();
        this.set({ state: 'alive' }, alive);
        this.set({ state: 'dead' }, dead);
      },
    });
    new Gauge({
      name: 'evebot_job_queue_depth',
      help: 'Background jobs ready to run that no process has started',
      registers: [this.registry],
      async collect() {
        if (sources.queueDepth) this.set(await sources.queueDepth());
      },
    });
    new Gauge({
      name: 'evebot_esi_error_limit_remaining',
      help: 'X-ESI-Error-Limit-Remain as ESI last sent it (at 0 ESI refuses everyone for the rest of the window)',
      registers: [this.registry],
      collect() {
        const remaining = sources.esiLimits?.().errorLimit?.remain;
        if (remaining !== undefined) this.set(remaining);
      },
    });
    new Gauge({
      name: 'evebot_esi_rate_limit_remaining',
      help: 'X-Ratelimit-Remaining as ESI last sent it, by rate-limit group (the lowest over the characters that use the group)',
      labelNames: ['group'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const lowest = new Map<string, number>();
        for (const state of Object.values(sources.esiLimits?.().rateLimits ?? {})) {
          if (state.remaining === undefined) continue;
          lowest.set(state.group, Math.min(state.remaining, lowest.get(state.group) ?? Infinity));
        }
        for (const [group, remaining] of lowest) this.set({ group }, remaining);
      },
    });
  }

  /**
   * Where the scrape-time gauges read from; set once the services exist. The
   * database-backed ones are read at most every 10 s, so scraping (by anyone
   * who can reach /metrics) never becomes load on the database.
   */
  readFrom(sources: MetricSources): void {
    Object.assign(this.#sources, {
      ...sources,
      ...(sources.logins ? { logins: reusedFor(SCRAPE_READ_MS, sources.logins) } : {}),
      ...(sources.queueDepth ? { queueDepth: reusedFor(SCRAPE_READ_MS, sources.queueDepth) } : {}),
    });
  }

  /** The Prometheus text exposition of every metric. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

const SCRAPE_READ_MS = 10_000;

/** /characters/90000001/wallet → /characters/{id}/wallet: one series per route, not per character. */
export function routeTemplate(path: string): string {
  return path.replace(/\/\d+(?=\/|$)/g, '/{id}');
}
