import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UndiciTransport } from '../../src/esi/transport.ts';
import { SsoClient } from '../../src/eve/sso.ts';
import { BOT_NAME, BOT_VERSION, userAgent } from '../../src/version.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

describe('version and User-Agent', () => {
  it("given package.json, then the bot's name and version are its own", () => {
    expect(BOT_NAME).toBe(pkg.name);
    expect(BOT_VERSION).toBe(pkg.version);
    expect(BOT_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('given a contact, then the User-Agent is name/version (contact), with line breaks and parentheses taken out', () => {
    expect(userAgent('admin@example.org')).toBe(`eve-corp-bot/${pkg.version} (admin@example.org)`);
    expect(userAgent('eve:Some (Pilot)\r\nX-Injected: 1')).toBe(`eve-corp-bot/${pkg.version} (eve:Some  Pilot   X-Injected: 1)`);
  });
});

describe('the User-Agent on the wire', () => {
  // A loopback server that records every request's headers: the SSO's metadata and token endpoints, and ESI.
  let server: Server;
  let base: string;
  const seen: { method: string; path: string; headers: IncomingHttpHeaders }[] = [];
  beforeEach(async () => {
    seen.length = 0;
    server = createServer((req, res) => {
      seen.push({ method: req.method!, path: req.url!, headers: req.headers });
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/.well-known/oauth-authorization-server') {
          res.end(JSON.stringify({ issuer: base, authorization_endpoint: `${base}/v2/oauth/authorize`, token_endpoint: `${base}/v2/oauth/token`, jwks_uri: `${base}/oauth/jwks` }));
        } else if (req.url === '/v2/oauth/token') {
          res.end(JSON.stringify({ access_token: 'access', expires_in: 1199, token_type: 'Bearer', refresh_token: 'refresh' }));
        } else {
          res.end('1000.5');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('given the User-Agent the bot builds, then the SSO client and the ESI transport both send it, version included', async () => {
    const agent = userAgent('tests@example.org');
    const sso = new SsoClient({ ssoUrl: base, clientId: 'client', clientSecret: 'client-secret-value', userAgent: agent });
    const esi = new UndiciTransport({ baseUrl: base, userAgent: agent, timeoutMs: 5000 });
    try {
      await sso.refresh('refresh');
      await esi.send({ method: 'GET', path: '/characters/90000001/wallet', query: '', timeoutMs: 5000 }, new AbortController().signal);
    } finally {
      await sso.close();
      await esi.close();
    }
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /.well-known/oauth-authorization-server', 'POST /v2/oauth/token', 'GET /characters/90000001/wallet']);
    for (const request of seen) expect(request.headers['user-agent'], request.path).toBe(`eve-corp-bot/${pkg.version} (tests@example.org)`);
  });
});
