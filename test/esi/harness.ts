/** Shared setup for the ESI client tests: a fake EVE with a small world, and clients that log to memory. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { EsiClient, type EsiClientOptions } from '../../src/esi/index.ts';
import type { Logger } from '../../src/log.ts';
import { FakeEve } from '../fakes/eve/index.ts';

export const SCOPES = {
  wallet: 'esi-wallet.read_character_wallet.v1',
  skills: 'esi-skills.read_skills.v1',
  skillqueue: 'esi-skills.read_skillqueue.v1',
  members: 'esi-corporations.read_corporation_membership.v1',
  roles: 'esi-characters.read_corporation_roles.v1',
} as const;
export const ALL_SCOPES = Object.values(SCOPES);

export const ALLIANCE = 99000001;
export const CORP = 98000001;
export const OTHER_CORP = 98000002;
export const PILOT = 90000001;
export const SECOND = 90000002;
export const USER_AGENT = 'eve-corp-bot/0.1.0 (esi-tests@example.org)';

export interface Harness {
  eve: FakeEve;
  /** a client with default options (plus the test clock) */
  client: EsiClient;
  /** every line any client of this harness logged */
  logs: string[];
  /** wall clock the clients measure cache expiry on; tests move it */
  clock: { now: number };
  /** another client on the same fake; closed by close() */
  newClient(options?: Partial<EsiClientOptions>): EsiClient;
  /** a valid access token for the character, with the scopes (default: all the bot uses) */
  token(characterId: number, scopes?: readonly string[]): string;
  /** ESI requests the fake saw for paths matching the pattern */
  requests(path?: RegExp, method?: string): FakeEve['esiRequests'];
  close(): Promise<void>;
}

export async function startHarness(options: Partial<EsiClientOptions> = {}): Promise<Harness> {
  const eve = await FakeEve.start({ clientId: 'esi-test-client', clientSecret: 'esi-test-secret' });
  eve.addAlliance({ id: ALLIANCE, name: 'Test Alliance Please Ignore', ticker: 'TEST' });
  eve.addCorporation({ id: CORP, name: 'Corp One', ticker: 'ONE', allianceId: ALLIANCE });
  eve.addCorporation({ id: OTHER_CORP, name: 'Corp Two', ticker: 'TWO' });
  eve.addCharacter({ id: PILOT, name: 'Pilot One', corporationId: CORP, wallet: 1_000_000.5, roles: ['Director'] });
  eve.addCharacter({ id: SECOND, name: 'Pilot Two', corporationId: OTHER_CORP, wallet: 42 });

  const logs: string[] = [];
  // A plain pino logger, without the app's scrubbing, so a leaked token would show.
  const logger: Logger = pino(
    { level: 'trace' },
    new Writable({
      write(chunk, _encoding, callback) {
        logs.push(String(chunk));
        callback();
      },
    }),
  );
  const clock = { now: Date.now() };
  const clients: EsiClient[] = [];
  const newClient = (extra: Partial<EsiClientOptions> = {}) => {
    const client = new EsiClient({ baseUrl: eve.esiUrl, userAgent: USER_AGENT, logger, now: () => clock.now, ...options, ...extra });
    clients.push(client);
    return client;
  };
  const client = newClient();
  return {
    eve,
    client,
    logs,
    clock,
    newClient,
    token: (characterId, scopes = ALL_SCOPES) => eve.issueTokens(characterId, [...scopes]).accessToken,
    requests: (path, method) => eve.esiRequests.filter((r) => (!path || path.test(r.path)) && (!method || r.method === method)),
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
      await eve.close();
    },
  };
}

/** the rejection of a promise that must reject */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
