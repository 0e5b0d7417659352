/**
 * RoleAdmin's name resolution for `/roles add role: corporation:<name>`:
 * first the corporations/alliances of the guild's members' linked
 * characters, then one POST /universe/ids. Real Postgres, the fake EVE, a
 * real EsiClient, NameResolver and EsiDirectory.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { EsiClient, EsiDirectory, NameResolver, type EsiBudget, type EsiCallOptions } from '../../src/esi/index.ts';
import { RoleAdmin, RoleRuleError } from '../../src/roles/roleAdmin.ts';
import { FakeEve } from '../fakes/eve/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const GUILD = 400000000000000001n;
const OFFICER = { canManageRoles: true, discordUserId: 200000000000000001n };
const MEMBER = 200000000000000002n;
const ALLIANCE = 99000001;
const HOME = 98000001;
const STRANGERS = 98000002;
const STRANGER_ALLIANCE = 99000002;

let testDb: TestDatabase;
let db: Database;
let eve: FakeEve;
let client: EsiClient;
let admin: RoleAdmin;
/** the options each idsByName call got */
const idsCalls: (EsiCallOptions | undefined)[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = createDatabase(testDb.url, { maxConnections: 2 });
  eve = await FakeEve.start({ clientId: 'roles-test-client', clientSecret: 'roles-test-secret' });
  eve.addAlliance({ id: ALLIANCE, name: 'Home Alliance', ticker: 'HOME' });
  eve.addAlliance({ id: STRANGER_ALLIANCE, name: 'Strangers United', ticker: 'STRU' });
  eve.addCorporation({ id: HOME, name: 'Home Corp', ticker: 'HC', allianceId: ALLIANCE });
  eve.addCorporation({ id: STRANGERS, name: 'Stranger Things Inc.', ticker: 'STI', allianceId: STRANGER_ALLIANCE });
  eve.addCharacter({ id: 90000001, name: 'Member Pilot', corporationId: HOME });
  eve.addCharacter({ id: 90000002, name: 'Stranger Pilot', corporationId: STRANGERS });

  await db.discordUser.create({ data: { id: MEMBER } });
  await db.character.create({
    data: { id: 90000001n, name: 'Member Pilot', ownerHash: 'hash', corporationId: BigInt(HOME), allianceId: BigInt(ALLIANCE), discordUserId: MEMBER },
  });

  const logger = pino({ level: 'silent' });
  client = new EsiClient({ baseUrl: eve.esiUrl, userAgent: 'eve-corp-bot/0.1.0 (roles-tests@example.org)', logger });
  const esiDirectory = new EsiDirectory(client);
  const directory = {
    corporation: esiDirectory.corporation.bind(esiDirectory),
    alliance: esiDirectory.alliance.bind(esiDirectory),
    idsByName: (names: readonly string[], budget?: EsiBudget, options?: EsiCallOptions) => {
      idsCalls.push(options);
      return esiDirectory.idsByName(names, budget, options);
    },
  };
  admin = new RoleAdmin({ database: db, names: new NameResolver(client), directory, logger });
});
afterAll(async () => {
  await client?.close();
  await eve?.close();
  await db?.$disconnect();
  await testDb?.drop();
});
beforeEach(() => {
  eve.esiRequests.length = 0;
  idsCalls.length = 0;
});

const add = (input: { corporation?: string; alliance?: string }, roleId = 500000000000000001n) =>
  admin.addRule(GUILD, OFFICER, { roleId, corporation: input.corporation ?? null, alliance: input.alliance ?? null, linked: null, through: 'main' }, [MEMBER]);
const idsRequests = () => eve.esiRequests.filter((r) => r.path.endsWith('/universe/ids'));

describe('RoleAdmin: names typed for a rule', () => {
  it("given the name of a member's corporation in another case, then it resolves among the members without asking /universe/ids", async () => {
    const added = await add({ corporation: '  home CORP ' });
    expect(added).toMatchObject({ targetName: 'Home Corp', rule: { target: { kind: 'corporation', id: BigInt(HOME) } }, added: true });
    expect(idsRequests()).toHaveLength(0);
    expect(idsCalls).toHaveLength(0);
  });

  it('given the name of a corporation no member is in, then one /universe/ids request resolves it, with EVE\'s spelling and the guild\'s error scope', async () => {
    const added = await add({ corporation: 'stranger things inc.' }, 500000000000000002n);
    expect(added).toMatchObject({ targetName: 'Stranger Things Inc.', rule: { target: { kind: 'corporation', id: BigInt(STRANGERS) } }, added: true });
    expect(idsRequests()).toHaveLength(1);
    expect(idsRequests()[0]!.body).toEqual(['stranger things inc.']);
    expect(idsCalls).toEqual([{ errorScope: `guild:${GUILD}` }]);
    expect(await db.roleRule.count({ where: { guildId: GUILD, targetId: BigInt(STRANGERS), kind: 'corporation' } })).toBe(1);
  });

  it('given an alliance name no member is in, then it resolves through /universe/ids as an alliance', async () => {
    const added = await add({ alliance: 'STRANGERS UNITED' }, 500000000000000003n);
    expect(added).toMatchObject({ targetName: 'Strangers United', rule: { target: { kind: 'alliance', id: BigInt(STRANGER_ALLIANCE) } } });
    expect(idsRequests()).toHaveLength(1);
  });

  it('given a name EVE knows only as another kind, then it is not taken: an alliance name typed as a corporation is refused', async () => {
    const error = await add({ corporation: 'Strangers United' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RoleRuleError);
    expect((error as Error).message).toMatch(/^No corporation named "Strangers United" among this server's members' characters, and EVE Online knows none/);
  });

  it('given a name EVE does not know, then the error says so and asks for the id; no rule is added', async () => {
    const before = await db.roleRule.count();
    const error = await add({ corporation: 'No Such Corporation' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RoleRuleError);
    expect((error as Error).message).toContain('EVE Online knows none by that exact name');
    expect((error as Error).message).toContain('give its id instead');
    expect(idsRequests()).toHaveLength(1);
    expect(await db.roleRule.count()).toBe(before);
  });
});
