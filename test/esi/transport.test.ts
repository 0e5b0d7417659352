import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { corporation, ESI_COMPATIBILITY_DATE, TransportError, UndiciTransport, type EsiTransport, type TransportRequest } from '../../src/esi/index.ts';
import { CORP, PILOT, rejection, startHarness, USER_AGENT, type Harness } from './harness.ts';

let h: Harness;
const transports: EsiTransport[] = [];
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await h.close();
});

const open = (options: { baseUrl?: string; timeoutMs?: number; maxBodyBytes?: number } = {}) => {
  const transport = new UndiciTransport({ baseUrl: options.baseUrl ?? h.eve.esiUrl, userAgent: USER_AGENT, timeoutMs: options.timeoutMs ?? 5000, ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}) });
  transports.push(transport);
  return transport;
};
const get = (path: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({ method: 'GET', path, query: '', timeoutMs: 5000, ...extra });
const never = new AbortController().signal;

describe('UndiciTransport', () => {
  it('given a GET with a token and an ETag and a POST with a body, then ESI receives the headers every request carries and those', async () => {
    const token = h.token(PILOT);
    const answer = await open().send(get(`/characters/${PILOT}/wallet`, { accessToken: token, etag: '"abc"' }), never);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toBe(1_000_000.5);
    await open().send({ method: 'POST', path: '/characters/affiliation', query: '', body: JSON.stringify([PILOT]), timeoutMs: 5000 }, never);

    const [wallet, post] = h.eve.esiRequests;
    for (const record of [wallet!, post!]) {
      expect(record.headers['user-agent']).toBe(USER_AGENT);
      expect(record.headers['x-compatibility-date']).toBe(ESI_COMPATIBILITY_DATE);
      expect(record.headers.accept).toBe('application/json');
    }
    expect(wallet!.headers.authorization).toBe(`Bearer ${token}`);
    expect(wallet!.headers['if-none-match']).toBe('"abc"');
    expect(post!.headers['content-type']).toBe('application/json');
    expect(post!.headers.authorization).toBeUndefined();
    expect(post!.body).toEqual([PILOT]);
  });

  it('given a body announced larger than the cap, then a network failure without reading it', async () => {
    const error = await rejection(open({ maxBodyBytes: 100 }).send(get(`/corporations/${CORP}`), never));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).kind).toBe('network');
    expect((error as TransportError).message).toMatch(/too large/);
  });

  it('given a streamed body without Content-Length that passes the cap, then a network failure', async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }); // chunked: no Content-Length
      for (let i = 0; i < 20; i++) res.write('[1,2,3,4,5,6,7,8,9,10],');
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const error = await rejection(open({ baseUrl: `http://127.0.0.1:${port}`, maxBodyBytes: 100 }).send(get('/anything'), never));
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).kind).toBe('network');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('given no answer in time, then a timeout; given the caller aborting, then aborted', async () => {
    h.eve.esi.failNext({ path: /^\/corporations\// }, 'timeout');
    const slow = await rejection(open().send(get(`/corporations/${CORP}`, { timeoutMs: 200 }), never));
    expect((slow as TransportError).kind).toBe('timeout');

    h.eve.esi.latencyMs = 2000;
    const caller = new AbortController();
    const pending = rejection(open().send(get(`/corporations/${CORP}`), caller.signal));
    setTimeout(() => caller.abort(), 50);
    expect(((await pending) as TransportError).kind).toBe('aborted');
  });

  it('given a transport of its own, then the client sends every attempt through it', async () => {
    const inner = open();
    const seen: string[] = [];
    const client = h.newClient({
      transport: {
        send: (request, signal) => {
          seen.push(`${request.method} ${request.path}`);
          return inner.send(request, signal);
        },
        close: () => inner.close(),
      },
    });
    expect((await corporation(client, BigInt(CORP))).name).toBe('Corp One');
    expect(seen).toEqual([`GET /corporations/${CORP}`]);
    expect(h.requests(/^\/corporations\//)).toHaveLength(1);
  });
});
