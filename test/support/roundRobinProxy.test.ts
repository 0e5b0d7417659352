// The tests' load balancer: a backend that refuses connections is skipped, and never tried twice for one request.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './botProcess.ts';
import { RoundRobinProxy } from './roundRobinProxy.ts';

describe('RoundRobinProxy', () => {
  let proxy: RoundRobinProxy | undefined;
  let live: Server | undefined;
  afterEach(async () => {
    await proxy?.close();
    await new Promise((resolve) => (live ? live.close(resolve) : resolve(undefined)));
  });

  it('sends every request of a burst to the backend that is up when the other refuses connections', async () => {
    live = createServer((req, res) => req.resume().on('end', () => res.end('ok')));
    await new Promise<void>((resolve) => live!.listen(0, '127.0.0.1', resolve));
    const dead = `http://127.0.0.1:${await freePort()}`;
    proxy = await RoundRobinProxy.start([dead, `http://127.0.0.1:${(live.address() as AddressInfo).port}`]);
    // All at once: while one request's refusal comes back, the others move the shared turn on.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, id) => fetch(`${proxy!.url}/interactions`, { method: 'POST', body: JSON.stringify({ id: String(id) }) })),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(proxy.forwarded).toEqual([0, 40]);
    expect(new Set(proxy.interactionBackend.values())).toEqual(new Set([1]));
  });

  it('answers 502 when no backend takes the connection', async () => {
    proxy = await RoundRobinProxy.start([`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`]);
    const answer = await fetch(`${proxy.url}/x`);
    expect(answer.status).toBe(502);
    expect(await answer.text()).toBe('no backend answered');
  });
});
