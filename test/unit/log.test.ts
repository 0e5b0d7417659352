import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig, secretValues } from '../../src/config.ts';
import { createLogger, flushLogger } from '../../src/log.ts';

function capture() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return { destination, text: () => chunks.join('') };
}

// Values shaped like the real secrets.
const secrets = {
  botToken: `MTEyMjMzNDQ1NTY2Nzc4ODk5.GabcDE.${'x1Y2z3'.repeat(6)}ab`,
  clientSecret: 'eve-client-secret-value-0123456789',
  encryptionKey: Buffer.alloc(32, 9).toString('base64'),
  accessToken: `eyJhbGciOiJSUzI1NiJ9.${'eyJzdWIiOiJDSEFSQUNURVI6RVZFOjEyMyJ9'}.${'c2lnbmF0dXJl'.repeat(4)}`,
  refreshToken: 'refresh-token-ABCDEFGHIJKLMNOP',
  interactionToken: `aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnRva2Vu${'Q'.repeat(40)}`,
  ssoCode: 'sso-authorization-code-abcdef123',
  codeVerifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
};

describe('logger redaction', () => {
  it('given objects holding every kind of secret, then none appears in the output', async () => {
    const { destination, text } = capture();
    const logger = createLogger({
      destination,
      level: 'trace',
      secrets: [secrets.botToken, secrets.clientSecret, secrets.encryptionKey],
    });
    logger.info({ token: secrets.botToken, config: { DISCORD_TOKEN: secrets.botToken, EVE_CLIENT_SECRET: secrets.clientSecret, TOKEN_ENCRYPTION_KEY: secrets.encryptionKey } }, 'config');
    logger.info({ grant: { accessToken: secrets.accessToken, refreshToken: secrets.refreshToken } }, 'grant');
    logger.info({ body: { access_token: secrets.accessToken, refresh_token: secrets.refreshToken } }, 'sso answer');
    logger.info({ headers: { authorization: `Bearer ${secrets.accessToken}` } }, 'request');
    logger.info({ req: { headers: { authorization: `Basic ${Buffer.from(`id:${secrets.clientSecret}`).toString('base64')}` } } }, 'token request');
    logger.info({ interactionToken: secrets.interactionToken, pending: { interactionToken: secrets.interactionToken } }, 'pending');
    logger.info({ authorizationCode: secrets.ssoCode, codeVerifier: secrets.codeVerifier, form: { code_verifier: secrets.codeVerifier } }, 'exchange');
    // Secrets where no key names them: inside messages, URLs and errors.
    logger.warn(`callback /sso/callback?code=${secrets.ssoCode}&state=abc failed`);
    logger.error({ err: new Error(`request to /webhooks/123456789012345678/${secrets.interactionToken}/messages failed`) }, 'edit failed');
    logger.error({ err: new Error(`ESI said no to Bearer ${secrets.accessToken}`) }, 'esi failed');
    logger.info({ unrelated: `key is ${secrets.encryptionKey} and secret ${secrets.clientSecret} and bot ${secrets.botToken}` }, 'oops');
    await flushLogger(logger);

    const output = text();
    expect(output.split('\n').filter(Boolean)).toHaveLength(11);
    for (const [name, value] of Object.entries(secrets)) {
      expect(output, `${name} leaked`).not.toContain(value);
    }
    expect(output).toContain('[Redacted]');
    // Still useful: messages and non-secret fields stay.
    expect(output).toContain('"msg":"grant"');
    expect(output).toContain('/sso/callback?code=[Redacted]');
  });
});

describe('logger: the database password', () => {
  // Reserved characters, percent-encoded in the URL as a careful admin writes it.
  const password = 'Db-p@ss/w0rd%9:x';
  const config = loadConfig({
    DISCORD_TOKEN: secrets.botToken,
    EVE_CLIENT_ID: '0123456789abcdef0123456789abcdef',
    EVE_CLIENT_SECRET: secrets.clientSecret,
    EVE_CALLBACK_URL: 'https://bot.example.org/sso/callback',
    ESI_CONTACT: 'admin@example.org',
    DATABASE_URL: `postgresql://evebot:${encodeURIComponent(password)}@db.example.org:5432/evebot`,
    TOKEN_ENCRYPTION_KEY: secrets.encryptionKey,
  });

  it('given the configured secrets, then the password of DATABASE_URL is scrubbed in every form, wherever it stands', async () => {
    const { destination, text } = capture();
    const logger = createLogger({ destination, secrets: secretValues(config) });
    logger.error({ err: new Error(`password authentication failed: ${password}`) }, 'database');
    logger.warn({ detail: `tried ${encodeURIComponent(password)} on db.example.org` }, 'database');
    logger.warn(`the configured url is ${config.DATABASE_URL}`);
    await flushLogger(logger);

    const output = text();
    expect(output.split('\n').filter(Boolean)).toHaveLength(3);
    expect(output).not.toContain(password);
    expect(output).not.toContain(encodeURIComponent(password));
    expect(output).toContain('postgresql://evebot:[Redacted]@db.example.org:5432/evebot');
    // The other configured secrets are still in the list.
    expect(secretValues(config)).toEqual(expect.arrayContaining([secrets.botToken, secrets.clientSecret, secrets.encryptionKey]));
  });

  it('given connection strings in free text with passwords nobody configured, then their credentials are scrubbed', async () => {
    const { destination, text } = capture();
    const logger = createLogger({ destination });
    logger.error({ err: new Error('connect to postgres://admin:pw1@10.0.0.5:5432/x failed') }, 'a');
    logger.error({ err: new Error('connect to postgresql://u:p@ss#word@db.internal/evebot?sslmode=require failed') }, 'b');
    logger.error({ err: new Error('connect to postgresql://u:sla/sh-in-it@db.internal/evebot failed') }, 'c');
    logger.warn('dsn POSTGRESQL://u:kv-url-secret@db.internal and host=db user=corp password=kv-secret-value dbname=corp');
    logger.warn('url postgresql://db.internal/evebot?user=evebot&password=query-secret-value');
    await flushLogger(logger);

    const output = text();
    for (const leaked of ['pw1', 'p@ss#word', 'ss#word', 'sla/sh-in-it', 'sh-in-it', 'kv-url-secret', 'kv-secret-value', 'query-secret-value']) {
      expect(output, `${leaked} leaked`).not.toContain(leaked);
    }
    // Where it was, the rest stays readable.
    expect(output).toContain('postgres://admin:[Redacted]@10.0.0.5:5432/x');
    expect(output).toContain('postgresql://u:[Redacted]@db.internal/evebot?sslmode=require');
    expect(output).toContain('postgresql://u:[Redacted]@db.internal/evebot failed');
    expect(output).toContain('user=corp password=[Redacted] dbname=corp');
    expect(output).toContain('postgresql://db.internal/evebot?user=evebot&password=[Redacted]');
  });
});

describe('logger: code', () => {
  it('given a code under any key path, then it is redacted; error codes stay, as errorCode', async () => {
    const { destination, text } = capture();
    const logger = createLogger({ destination });
    logger.info({ code: secrets.ssoCode }, 'top');
    logger.info({ query: { code: secrets.ssoCode, state: 'state-value' } }, 'callback');
    logger.info({ request: { query: { code: secrets.ssoCode } } }, 'nested');
    logger.error({ err: Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }) }, 'errno');
    await flushLogger(logger);

    const output = text();
    expect(output.split('\n').filter(Boolean)).toHaveLength(4);
    expect(output).not.toContain(secrets.ssoCode);
    expect(output.match(/"code":"\[Redacted\]"/g)).toHaveLength(3);
    expect(output).toContain('"state":"state-value"');
    expect(output).toContain('"errorCode":"ECONNREFUSED"');
  });
});

describe('logger: a known secret that JSON escapes', () => {
  it('given a configured secret holding a quote and a backslash, then neither it nor its escaped form is in the JSON line', async () => {
    const escaped = 'db-pass"word\\with-escapes';
    const { destination, text } = capture();
    const logger = createLogger({ destination, secrets: [escaped] });
    logger.warn({ detail: `tried ${escaped}` }, 'database');
    await flushLogger(logger);
    expect(text()).not.toContain(JSON.stringify(escaped).slice(1, -1));
    expect(JSON.parse(text())).toMatchObject({ detail: 'tried [Redacted]' });
  });
});

describe('logger: LOG_FORMAT=pretty', () => {
  it('given pretty output, then lines are for humans and no secret survives: by key, in free text, known values, and a known value that JSON escapes', async () => {
    // A quote and a backslash: JSON writes them escaped, pino-pretty prints them as they are.
    const escaped = 'db-pass"word\\with-escapes';
    const { destination, text } = capture();
    const logger = createLogger({ destination, format: 'pretty', secrets: [secrets.botToken, secrets.clientSecret, escaped] });
    logger.info({ grant: { accessToken: secrets.accessToken, refreshToken: secrets.refreshToken }, version: '0.1.0' }, 'bot ready');
    logger.warn(`callback /sso/callback?code=${secrets.ssoCode}&state=abc failed`);
    logger.error({ err: new Error(`ESI said no to Bearer ${secrets.accessToken}`) }, 'esi failed');
    logger.info({ unrelated: `secret ${secrets.clientSecret} and bot ${secrets.botToken}`, detail: `tried ${escaped}` }, 'oops');
    await flushLogger(logger);

    const output = text();
    for (const [name, value] of Object.entries({ ...secrets, escaped, escapedAsJson: JSON.stringify(escaped).slice(1, -1) })) {
      expect(output, `${name} leaked`).not.toContain(value);
    }
    // pino-pretty's layout, not JSON lines.
    expect(output).not.toMatch(/^\{/m);
    expect(output).toMatch(/INFO \(\d+\): bot ready\n {4}grant: \{/);
    expect(output).toContain('version: "0.1.0"');
    expect(output).toMatch(/WARN \(\d+\): callback \/sso\/callback\?code=\[Redacted\]&state=\[Redacted\] failed/);
    expect(output).toContain('detail: "tried [Redacted]"');
    expect(output).toMatch(/ERROR \(\d+\): esi failed/);
    expect(output).toContain('[Redacted]');
    // No colours when writing somewhere that is not the terminal.
    expect(output).not.toContain('\u001b[');
  });

  it('given pino-pretty is not installed, then a warning says so and the lines stay JSON', async () => {
    const { destination, text } = capture();
    const notInstalled = () => {
      throw Object.assign(new Error("Cannot find module 'pino-pretty'"), { code: 'MODULE_NOT_FOUND' });
    };
    const logger = createLogger({ destination, format: 'pretty', loadPretty: notInstalled });
    logger.info({ accessToken: secrets.accessToken }, 'bot ready');
    await flushLogger(logger);

    const lines = text().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'warn', LOG_FORMAT: 'pretty' });
    expect(lines[0]!.msg).toMatch(/pino-pretty is not installed.*logging JSON/);
    expect(lines[1]).toMatchObject({ level: 'info', msg: 'bot ready', accessToken: '[Redacted]' });
  });

  it('given the default format, then pino-pretty is never loaded', async () => {
    const { destination, text } = capture();
    let loaded = false;
    const logger = createLogger({ destination, loadPretty: () => (loaded = true) });
    logger.info('json');
    await flushLogger(logger);
    expect(loaded).toBe(false);
    expect(JSON.parse(text())).toMatchObject({ msg: 'json' });
  });
});
