import { createRequire } from 'node:module';
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths whose values are secrets, at any depth pino can express. Redaction is
 * by key, so every place that logs an object holding a secret must use one
 * of these names (tests log each and search the output).
 */
const SECRET_KEYS = [
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'discordToken',
  'DISCORD_TOKEN',
  'clientSecret',
  'client_secret',
  'EVE_CLIENT_SECRET',
  'encryptionKey',
  'TOKEN_ENCRYPTION_KEY',
  'TOKEN_ENCRYPTION_OLD_KEYS',
  'interactionToken',
  'authorizationCode',
  // the SSO's authorization code, e.g. in a parsed callback query (error codes are logged as errorCode)
  'code',
  'code_verifier',
  'codeVerifier',
  'authorization',
  'Authorization',
  'cookie',
  'password',
  'secret',
  'secrets',
];

export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  ...SECRET_KEYS.map((key) => `*.*.${key}`),
  'req.headers.authorization',
  'headers.authorization',
  'config.DISCORD_TOKEN',
  'config.EVE_CLIENT_SECRET',
  'config.TOKEN_ENCRYPTION_KEY',
  'config.TOKEN_ENCRYPTION_OLD_KEYS',
];

/** Strings that look like secrets wherever they stand (messages, error texts, URLs). */
const SECRET_PATTERNS: RegExp[] = [
  /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g, // JWTs (EVE access tokens)
  /\b[MNO][\w-]{23,27}\.[\w-]{6}\.[\w-]{27,40}\b/g, // Discord bot tokens
  /(Bearer|Basic|Bot)\s+[\w.~+/=-]{8,}/gi,
  /([?&](?:code|state|token|refresh_token|code_verifier)=)[^&\s"]+/gi,
  // Credentials in connection URLs (pg's errors may carry the URL): up to the last @ of the word, as a
  // password may hold an unencoded @, / or #; a later @ in a query makes it hide more, never less.
  /(\bpostgres(?:ql)?:\/\/[^:/?#@\s"]*:)[^\s"]*(?=@)/gi,
  /(\bpassword=)[^\s&"]+/gi, // key=value connection strings and ?password=
  /(\/(?:webhooks|interactions)\/\d+\/)[\w.-]{20,}/g, // interaction tokens inside Discord URLs
];

export function scrubSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix?: string) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}[Redacted]` : '[Redacted]',
    );
  }
  return out;
}

/** Error serializer that keeps type, message, stack and code, all scrubbed. */
function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const out: Record<string, unknown> = {
    type: error.name,
    message: scrubSecrets(error.message),
    stack: error.stack ? scrubSecrets(error.stack) : undefined,
  };
  // Not `code`: that key is redacted (SSO codes); ECONNREFUSED or P2002 are worth keeping.
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.errorCode = code;
  if (error.cause !== undefined) out.cause = serializeError(error.cause);
  return out;
}

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level?: string;
  /** known secret values (bot token, client secret, key): scrubbed from every line, whatever key holds them */
  secrets?: string[];
  destination?: DestinationStream;
  /** json (default): one JSON object a line. pretty: for humans at a terminal, through pino-pretty if it is installed. */
  format?: LogFormat;
  /** loads pino-pretty; tests hand in one that fails as an uninstalled package does */
  loadPretty?: () => unknown;
}

/** The part of pino-pretty used here, typed locally: it is an optional dependency and may be absent. */
interface PinoPrettyModule {
  prettyFactory(options: { colorize?: boolean; translateTime?: boolean | string }): (line: string) => string;
  isColorSupported?: boolean;
}

const requireHere = createRequire(import.meta.url);

/**
 * pino-pretty's line formatter, or undefined when the package is not
 * installed (an image built with --omit=optional). Loaded only for
 * LOG_FORMAT=pretty, so the JSON path never touches it. It runs in this
 * thread (not as a pino transport, which would run in a worker and write
 * past the scrubbing stream).
 */
function prettifier(load: () => unknown, colorize: boolean): ((line: string) => string) | undefined {
  let pretty: PinoPrettyModule;
  try {
    pretty = load() as PinoPrettyModule;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
  return pretty.prettyFactory({ colorize: colorize && pretty.isColorSupported === true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l' });
}

/**
 * Redaction by key catches the secrets we know we log; the scrubbing stream
 * under it is the last line of defence for the ones we did not expect
 * (a token inside an error message or a URL).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  // Each known value as written and as JSON writes it inside a string (a quote or backslash escaped):
  // the JSON line holds the escaped form, and pino-pretty prints string values JSON-quoted too.
  const known = [...new Set((options.secrets ?? []).filter((s) => s.length >= 8).flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))];
  const target = options.destination ?? pino.destination({ dest: 1, sync: false });
  const scrub = (text: string) => {
    let out = scrubSecrets(text);
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join('[Redacted]');
    return out;
  };
  const wantsPretty = options.format === 'pretty';
  const pretty = wantsPretty ? prettifier(options.loadPretty ?? (() => requireHere('pino-pretty')), options.destination === undefined) : undefined;
  const scrubbing = {
    write(line: string) {
      // pino-pretty formats the scrubbed JSON line; its text is scrubbed again, as it re-lays
      // nested values (an error's stack on lines of its own) where a pattern may now match.
      target.write(pretty ? scrub(pretty(scrub(line))) : scrub(line));
    },
    flush(callback?: (error?: Error) => void) {
      const flushable = target as { flush?: (cb?: (error?: Error) => void) => void };
      if (flushable.flush) flushable.flush(callback);
      else callback?.();
    },
  };
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      serializers: { err: serializeError, error: serializeError },
      formatters: { level: (label) => ({ level: label }) },
    },
    scrubbing,
  );
  if (wantsPretty && !pretty) {
    logger.warn({ LOG_FORMAT: 'pretty' }, 'LOG_FORMAT=pretty, but pino-pretty is not installed (it is an optional dependency: npm install without --omit=optional); logging JSON');
  }
  return logger;
}

/** Writes out what is buffered; used at shutdown. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}
