import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
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
