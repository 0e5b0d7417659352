import { z } from 'zod';

/** Scopes asked at /link unless EVE_SCOPES overrides them: what /wallet, /skills and /audit read. */
export const DEFAULT_EVE_SCOPES = [
  'esi-wallet.read_character_wallet.v1',
  'esi-skills.read_skills.v1',
  'esi-skills.read_skillqueue.v1',
  'esi-corporations.read_corporation_membership.v1',
  'esi-characters.read_corporation_roles.v1',
] as const;

const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17 to 20 digits)');
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((url) => url.replace(/\/+$/, ''));
/** 127.0.0.0/8, [::1] and localhost, as the URL parser normalises them (127.1 and 0x7f.1 become 127.0.0.1). */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
/** An http(s) URL that is https unless it never leaves this machine; `why` says what would cross the network. */
function secureUrl(why: string) {
  return httpUrl.refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || isLoopbackHost(url.hostname);
  }, `must be https (${why}) unless it is on this machine (127.0.0.1, [::1], localhost)`);
}
// The SSO redirects browsers here with the login code in the query: plain http only where it never crosses a network.
const callbackUrl = secureUrl('browsers send the login code to it');
const base64Key = z.string().refine((value) => {
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === 32 && bytes.toString('base64') === value.replace(/\s+/g, '');
}, 'must be 32 random bytes in base64 (44 characters)');

const trueOrFalse = (fallback: 'true' | 'false') =>
  z.enum(['true', 'false'], { error: 'must be true or false' }).default(fallback).transform((value) => value === 'true');

/** Every variable: its schema and an example shown when it is missing or wrong. */
const variables = {
  DISCORD_TOKEN: { schema: z.string().min(50, 'must be the bot token from the Discord developer portal'), example: 'MTIz...your bot token' },
  DISCORD_API_URL: { schema: httpUrl.default('https://discord.com/api'), example: 'https://discord.com/api' },
  DISCORD_GUILD_ID: { schema: snowflake.optional(), example: '123456789012345678' },
  // Privileged: must also be switched on for the application in Discord's developer portal.
  DISCORD_MEMBERS_INTENT: { schema: trueOrFalse('false'), example: 'true' },
  // Gateway shards this process connects: auto (all shards, as many as Discord recommends) or a list such as 0,1.
  DISCORD_SHARDS: {
    schema: z
      .string()
      .default('auto')
      .refine((value) => value.trim() === 'auto' || /^\s*\d{1,5}(\s*,\s*\d{1,5})*\s*$/.test(value), 'must be auto or shard ids separated by commas, such as 0,1')
      .transform((value): 'auto' | number[] => (value.trim() === 'auto' ? 'auto' : [...new Set(value.split(',').map((id) => Number(id.trim())))].sort((a, b) => a - b))),
    example: '0,1',
  },
  // The bot's total number of shards over all its processes (needed with a list in DISCORD_SHARDS).
  DISCORD_SHARD_COUNT: {
    schema: z.coerce.number({ error: 'must be a number of shards' }).int('must be a whole number of shards').min(1, 'must be at least 1').max(10_000, 'must be at most 10000').optional(),
    example: '2',
  },
  // Set: Discord posts interactions to <public URL>/interactions (HTTP interactions), signed with this key.
  DISCORD_PUBLIC_KEY: {
    schema: z
      .string()
      .trim()
      .regex(/^[0-9a-f]{64}$/i, "must be the application's public key: 64 hexadecimal characters (Developer Portal → General Information)")
      .transform((value) => value.toLowerCase())
      .optional(),
    example: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  },
  // auto: over the gateway every process connects its shards; with HTTP interactions one elected process holds the gateway (events only). off: no gateway.
  DISCORD_GATEWAY: {
    schema: z.enum(['auto', 'off'], { error: 'must be auto or off' }).default('auto'),
    example: 'off',
  },
  EVE_CLIENT_ID: { schema: z.string().regex(/^[0-9a-f]{32}$/i, 'must be the 32-character client id of your CCP application'), example: '0123456789abcdef0123456789abcdef' },
  EVE_CLIENT_SECRET: { schema: z.string().min(16, 'must be the secret key of your CCP application'), example: 'your application secret' },
  EVE_CALLBACK_URL: { schema: callbackUrl, example: 'https://bot.example.org/sso/callback' },
  EVE_SSO_URL: { schema: secureUrl('the client secret and refresh tokens go to it').default('https://login.eveonline.com'), example: 'https://login.eveonline.com' },
  EVE_SCOPES: {
    schema: z
      .string()
      .optional()
      .transform((value) => (value ? value.split(/[\s,]+/).filter(Boolean) : [...DEFAULT_EVE_SCOPES]))
      .pipe(z.array(z.string().regex(/^[a-z0-9_.-]+$/i, 'must be space-separated ESI scope names')).min(1)),
    example: DEFAULT_EVE_SCOPES.slice(0, 2).join(' '),
  },
  ESI_URL: { schema: secureUrl('access tokens go to it').default('https://esi.evetech.net'), example: 'https://esi.evetech.net' },
  ESI_CONTACT: { schema: z.string().trim().min(3, 'must say how CCP can reach you (an email, discord:user or eve:character)'), example: 'admin@example.org' },
  // Unset: the bot runs an embedded PostgreSQL (PGlite) in DATA_DIR. Production wants a real server.
  DATABASE_URL: {
    schema: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection URL').optional(),
    example: 'postgresql://postgres@127.0.0.1:5432/evebot',
  },
  DATA_DIR: { schema: z.string().min(1).default('./data'), example: './data' },
  TOKEN_ENCRYPTION_KEY: { schema: base64Key, example: '(output of: openssl rand -base64 32)' },
  // Previous keys, while rows sealed with them remain (npm run keys:rotate re-seals them all; then drop this).
  TOKEN_ENCRYPTION_OLD_KEYS: {
    schema: z
      .string()
      .optional()
      .transform((value) => (value ? value.split(',').map((key) => key.trim()).filter(Boolean) : []))
      .pipe(z.array(base64Key)),
    example: '(previous TOKEN_ENCRYPTION_KEY values, comma separated)',
  },
  // How long the /link button and then the confirmation page after the EVE login stay valid.
  LINK_TIMEOUT_SECONDS: {
    // At most 14 minutes: Discord lets the bot edit the /link reply for 15.
    schema: z.coerce.number({ error: 'must be a number of seconds' }).int('must be a whole number of seconds').min(5, 'must be at least 5').max(840, 'must be at most 840 (Discord lets the bot edit the /link reply for 15 minutes)').default(600),
    example: '600',
  },
  // Without the members intent, a user not seen in a guild for this long leaves its /audit.
  AUDIT_SIGHTING_DAYS: {
    schema: z.coerce.number({ error: 'must be a number of days' }).int('must be a whole number of days').min(1, 'must be at least 1').max(3650, 'must be at most 3650').default(90),
    example: '90',
  },
  // How often every linked character's corporation and alliance are asked of ESI (never before ESI's own cache time).
  AFFILIATION_INTERVAL_S: {
    schema: z.coerce.number({ error: 'must be a number of seconds' }).int('must be a whole number of seconds').positive('must be positive').default(3600),
    example: '3600',
  },
  // How often every guild with role rules is reconciled in full (repairs drift: roles changed by hand, missed events).
  ROLE_SYNC_INTERVAL_S: {
    schema: z.coerce.number({ error: 'must be a number of seconds' }).int('must be a whole number of seconds').positive('must be positive').default(3600),
    example: '3600',
  },
  // npm run start:sharded: how many gateway shards each child process connects.
  SHARDS_PER_PROCESS: {
    schema: z.coerce.number({ error: 'must be a number of shards' }).int('must be a whole number of shards').min(1, 'must be at least 1').max(10_000, 'must be at most 10000').default(1),
    example: '1',
  },
  // false: no HTTP server on HTTP_PORT (npm run start:sharded sets it in every child but the first, which serves it).
  HTTP_SERVER: { schema: trueOrFalse('true'), example: 'false' },
  HTTP_HOST: { schema: z.string().min(1).default('0.0.0.0'), example: '0.0.0.0' },
  HTTP_PORT: { schema: z.coerce.number({ error: 'must be a port number' }).int('must be a port number').min(0, 'must be a port number').max(65535, 'must be a port number').default(3000), example: '3000' },
  // Unset: GET /metrics is served on HTTP_PORT (if HTTP_SERVER). Set: only on this port (keep it off the public internet); npm run start:sharded gives child n this port + n.
  METRICS_PORT: {
    schema: z.coerce.number({ error: 'must be a port number' }).int('must be a port number').min(0, 'must be a port number').max(65535, 'must be a port number').optional(),
    example: '9464',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    example: 'info',
  },
  // json: one JSON object a line, for log collectors. pretty: coloured lines for a human at a terminal (pino-pretty).
  LOG_FORMAT: {
    schema: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).default('json'),
    example: 'pretty',
  },
} as const;

type Variables = typeof variables;
export type Config = { readonly [K in keyof Variables]: z.output<Variables[K]['schema']> };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example.`);
    this.name = 'ConfigError';
  }
}

/**
 * The configured values that are secrets, for the logger to scrub wherever
 * they appear. DATABASE_URL's password counts in each form it may be written
 * in: as typed, as the URL parser re-encodes it, and decoded (what the driver
 * sends, and what its errors would show).
 */
export function secretValues(config: Config): string[] {
  const values = [config.DISCORD_TOKEN, config.EVE_CLIENT_SECRET, config.TOKEN_ENCRYPTION_KEY, ...config.TOKEN_ENCRYPTION_OLD_KEYS];
  if (config.DATABASE_URL) values.push(...passwordForms(config.DATABASE_URL));
  return [...new Set(values.filter(Boolean))];
}

function passwordForms(connectionUrl: string): string[] {
  // As typed: up to the last @ (an unencoded @, / or # in a password is common).
  const typed = /^[a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:(\S*)@/i.exec(connectionUrl)?.[1];
  const forms = typed === undefined ? [] : [typed];
  try {
    const { password } = new URL(connectionUrl);
    forms.push(password);
    forms.push(decodeURIComponent(password));
  } catch {
    // Not a URL the parser takes, or a stray %: what was found is all there is.
  }
  return forms;
}

/**
 * Reads every variable from `env` (empty strings count as unset) and returns
 * one typed, frozen object, or throws a ConfigError listing every problem.
 * Values never appear in the message: some are secrets.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [name, { schema, example }] of Object.entries(variables)) {
    const raw = env[name];
    const result = (schema as z.ZodType).safeParse(raw === '' ? undefined : raw);
    if (result.success) {
      config[name] = result.data;
    } else {
      const message = result.error.issues[0]?.message ?? '';
      const reason = raw === undefined || raw === '' ? 'is missing' : message.startsWith('must') ? message : 'is invalid';
      problems.push(`${name} ${reason} (example: ${name}=${example})`);
    }
  }
  problems.push(...shardProblems(config), ...transportProblems(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config) as Config;
}

/** Rules between DISCORD_SHARDS and DISCORD_SHARD_COUNT (each one alone is checked by its schema). */
function shardProblems(config: Record<string, unknown>): string[] {
  const shards = config.DISCORD_SHARDS as 'auto' | number[] | undefined;
  const count = config.DISCORD_SHARD_COUNT as number | undefined;
  if (!Array.isArray(shards)) return [];
  if (count === undefined) return ['DISCORD_SHARD_COUNT is missing: a list in DISCORD_SHARDS needs the total number of shards over all processes (example: DISCORD_SHARD_COUNT=2)'];
  const outside = shards.filter((id) => id >= count);
  return outside.length ? [`DISCORD_SHARDS must list ids from 0 to ${count - 1} (DISCORD_SHARD_COUNT=${count}); ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not`] : [];
}

/** DISCORD_GATEWAY=off leaves commands no way in unless Discord posts them over HTTP; HTTP interactions need the HTTP server and the whole gateway in one process. */
function transportProblems(config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (config.DISCORD_GATEWAY === 'off' && config.DISCORD_PUBLIC_KEY === undefined) {
    problems.push('DISCORD_GATEWAY=off needs DISCORD_PUBLIC_KEY: without HTTP interactions, commands arrive over the gateway (example: DISCORD_PUBLIC_KEY=<the public key of your Discord application>)');
  }
  if (config.DISCORD_PUBLIC_KEY !== undefined && config.HTTP_SERVER === false) {
    problems.push('DISCORD_PUBLIC_KEY needs the HTTP server: Discord posts interactions to it (remove HTTP_SERVER=false)');
  }
  // The one elected process holds the whole gateway: a subset would miss the other shards' member events.
  const shards = config.DISCORD_SHARDS;
  const count = config.DISCORD_SHARD_COUNT as number | undefined;
  if (config.DISCORD_PUBLIC_KEY !== undefined && Array.isArray(shards) && count !== undefined && shards.length < count) {
    problems.push('DISCORD_SHARDS must list every shard (or be auto) with DISCORD_PUBLIC_KEY: with HTTP interactions one elected process holds the whole gateway (remove DISCORD_SHARDS; DISCORD_SHARD_COUNT may still set how many)');
  }
  return problems;
}
