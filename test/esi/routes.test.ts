import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  alliance,
  character,
  characterAffiliations,
  characterRoles,
  corporation,
  corporationMembers,
  EsiDirectory,
  EsiForbiddenError,
  EsiNotFoundError,
  EsiUnavailableError,
  skillQueue,
  skills,
  universeIds,
  walletBalance,
  walletJournal,
} from '../../src/esi/index.ts';
import { ALLIANCE, CORP, OTHER_CORP, PILOT, rejection, SECOND, startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const auth = (id = PILOT) => ({ characterId: BigInt(id), accessToken: h.token(id) });

describe('public route helpers', () => {
  it('given a character, then character() gives its details with bigint ids', async () => {
    h.eve.addCharacter({ id: PILOT, name: 'Pilot One', corporationId: CORP, birthday: '2010-05-06T07:08:09Z', securityStatus: -2.5 });
    const c = await character(h.client, BigInt(PILOT));
    expect(c).toEqual({
      characterId: BigInt(PILOT),
      name: 'Pilot One',
      corporationId: BigInt(CORP),
      allianceId: BigInt(ALLIANCE),
      birthday: new Date('2010-05-06T07:08:09Z'),
      securityStatus: -2.5,
    });
  });

  it('given a corporation in an alliance and one outside, then corporation() reports allianceId only for the first', async () => {
    const one = await corporation(h.client, BigInt(CORP));
    const two = await corporation(h.client, BigInt(OTHER_CORP));
    expect(one).toMatchObject({ corporationId: BigInt(CORP), name: 'Corp One', ticker: 'ONE', allianceId: BigInt(ALLIANCE), memberCount: 1 });
    expect(two).toMatchObject({ name: 'Corp Two', ticker: 'TWO', memberCount: 1 });
    expect(two).not.toHaveProperty('allianceId');
  });

  it('given an alliance, then alliance() gives name and ticker', async () => {
    expect(await alliance(h.client, BigInt(ALLIANCE))).toEqual({ allianceId: BigInt(ALLIANCE), name: 'Test Alliance Please Ignore', ticker: 'TEST' });
  });

  it('given 1500 character ids (with duplicates), then affiliations are asked in batches of at most 1000 and every character is answered', async () => {
    const ids: bigint[] = [];
    for (let i = 0; i < 1500; i++) {
      const id = 91000000 + i;
      h.eve.addCharacter({ id, name: `Alt ${i}`, corporationId: i % 2 === 0 ? CORP : OTHER_CORP });
      ids.push(BigInt(id));
    }
    const rows = await characterAffiliations(h.client, [...ids, ...ids.slice(0, 10)]);
    const requests = h.requests(/^\/characters\/affiliation$/, 'POST');
    expect(requests.map((r) => (r.body as number[]).length)).toEqual([1000, 500]);
    expect(rows).toHaveLength(1500);
    const first = rows.find((r) => r.characterId === 91000000n);
    expect(first).toEqual({ characterId: 91000000n, corporationId: BigInt(CORP), allianceId: BigInt(ALLIANCE), receivedAt: h.clock.now });
    const second = rows.find((r) => r.characterId === 91000001n);
    expect(second).toEqual({ characterId: 91000001n, corporationId: BigInt(OTHER_CORP), receivedAt: h.clock.now });
  });

  it('given only ids ESI does not know, then affiliations are empty rather than an error', async () => {
    expect(await characterAffiliations(h.client, [1n, 2n])).toEqual([]);
    expect(await characterAffiliations(h.client, [])).toEqual([]);
    expect(h.requests(/affiliation/)).toHaveLength(1);
  });
});

describe('authenticated route helpers', () => {
  it('given a wallet, then walletBalance() gives ISK', async () => {
    expect(await walletBalance(h.client, auth())).toBe(1_000_000.5);
  });

  it('given journal entries, then walletJournal() converts them and reports the pages', async () => {
    h.eve.addCharacter({
      id: PILOT,
      name: 'Pilot One',
      corporationId: CORP,
      journal: [
        { id: 7000000001, date: '2026-08-01T10:00:00Z', ref_type: 'player_donation', description: 'gift', amount: 5e6, balance: 6e6, first_party_id: SECOND, second_party_id: PILOT, reason: 'fly safe' },
        { id: 7000000002, date: '2026-07-31T10:00:00Z', ref_type: 'some_future_ref_type', description: 'new kind' },
      ],
    });
    const page = await walletJournal(h.client, auth());
    expect(page.pages).toBe(1);
    expect(page.entries).toEqual([
      {
        id: 7000000001n,
        date: new Date('2026-08-01T10:00:00Z'),
        refType: 'player_donation',
        description: 'gift',
        amount: 5e6,
        balance: 6e6,
        reason: 'fly safe',
        firstPartyId: BigInt(SECOND),
        secondPartyId: BigInt(PILOT),
      },
      { id: 7000000002n, date: new Date('2026-07-31T10:00:00Z'), refType: 'some_future_ref_type', description: 'new kind' },
    ]);
    await expect(walletJournal(h.client, auth(), 0)).rejects.toThrow(RangeError);
  });

  it('given a page past the last, then EsiNotFoundError', async () => {
    expect(await rejection(walletJournal(h.client, auth(), 5))).toBeInstanceOf(EsiNotFoundError);
  });

  it('given skills and a queue, then skills() and skillQueue() convert them, the queue in queue order', async () => {
    h.eve.addCharacter({
      id: PILOT,
      name: 'Pilot One',
      corporationId: CORP,
      skills: { skills: [{ skill_id: 3300, active_skill_level: 4, trained_skill_level: 5, skillpoints_in_skill: 256000 }], total_sp: 5_000_000 },
      skillqueue: [
        { skill_id: 3301, finished_level: 2, queue_position: 1 },
        { skill_id: 3300, finished_level: 5, queue_position: 0, start_date: '2026-08-01T00:00:00Z', finish_date: '2026-08-10T00:00:00Z', level_start_sp: 45255, level_end_sp: 256000, training_start_sp: 50000 },
      ],
    });
    expect(await skills(h.client, auth())).toEqual({
      skills: [{ skillId: 3300n, activeLevel: 4, trainedLevel: 5, skillpoints: 256000 }],
      totalSp: 5_000_000,
      unallocatedSp: 0,
    });
    const queue = await skillQueue(h.client, auth());
    expect(queue.map((q) => q.skillId)).toEqual([3300n, 3301n]);
    expect(queue[0]).toEqual({
      skillId: 3300n,
      finishedLevel: 5,
      queuePosition: 0,
      startDate: new Date('2026-08-01T00:00:00Z'),
      finishDate: new Date('2026-08-10T00:00:00Z'),
      levelStartSp: 45255,
      levelEndSp: 256000,
      trainingStartSp: 50000,
    });
    expect(queue[1]).toEqual({ skillId: 3301n, finishedLevel: 2, queuePosition: 1 });
  });

  it('given a member of the corporation, then corporationMembers() lists bigint ids; a character of another corporation is refused', async () => {
    expect(await corporationMembers(h.client, BigInt(CORP), auth())).toEqual([BigInt(PILOT)]);
    const error = await rejection(corporationMembers(h.client, BigInt(CORP), auth(SECOND)));
    expect(error).toBeInstanceOf(EsiForbiddenError);
  });

  it('given a director, then characterRoles() lists Director; absent lists are empty', async () => {
    expect(await characterRoles(h.client, auth())).toEqual({ roles: ['Director'], rolesAtHq: [], rolesAtBase: [], rolesAtOther: [] });
    expect((await characterRoles(h.client, auth(SECOND))).roles).toEqual([]);
  });
});

describe('universeIds', () => {
  it('given names in any case, with a repeat and an unknown one, then one request finds the corporation and the alliance with EVE\'s spelling', async () => {
    const found = await universeIds(h.client, ['corp one', ' TEST ALLIANCE please ignore ', 'Corp One', 'Pilot One', 'No Such Corp']);
    expect(found).toEqual({
      corporations: [{ id: BigInt(CORP), name: 'Corp One' }],
      alliances: [{ id: BigInt(ALLIANCE), name: 'Test Alliance Please Ignore' }],
    });
    const requests = h.requests(/^\/universe\/ids$/, 'POST');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body).toEqual(['corp one', 'TEST ALLIANCE please ignore', 'Pilot One', 'No Such Corp']);
  });

  it('given only unknown names, then both lists are empty; given none, then ESI is not asked; given 501, then RangeError', async () => {
    expect(await universeIds(h.client, ['No Such Corp'])).toEqual({ corporations: [], alliances: [] });
    expect(await universeIds(h.client, [])).toEqual({ corporations: [], alliances: [] });
    expect(await universeIds(h.client, ['  '])).toEqual({ corporations: [], alliances: [] });
    expect(h.requests(/^\/universe\/ids$/)).toHaveLength(1);
    await expect(universeIds(h.client, Array.from({ length: 501 }, (_, i) => `corp ${i}`))).rejects.toBeInstanceOf(RangeError);
  });

  it('given an answer row without id or name (both optional in the spec), then that row is dropped, not the request', async () => {
    h.eve.esi.alterBody.ids = (body: { corporations?: object[] }) => ({ ...body, corporations: [{ name: 'Corp One' }, ...(body.corporations ?? [])] });
    expect((await universeIds(h.client, ['Corp One'])).corporations).toEqual([{ id: BigInt(CORP), name: 'Corp One' }]);
  });
});

describe('EsiDirectory', () => {
  it('given known and unknown ids, then it answers names, tickers and affiliations, and undefined for what ESI does not know', async () => {
    const directory = new EsiDirectory(h.client);
    expect(await directory.corporation(BigInt(CORP))).toEqual({ name: 'Corp One', ticker: 'ONE' });
    expect(await directory.corporationName(BigInt(OTHER_CORP))).toBe('Corp Two');
    expect(await directory.alliance(BigInt(ALLIANCE))).toEqual({ name: 'Test Alliance Please Ignore', ticker: 'TEST' });
    expect(await directory.affiliation(BigInt(PILOT))).toEqual({ corporationId: BigInt(CORP), allianceId: BigInt(ALLIANCE), at: expect.any(Date) });
    expect(await directory.affiliation(BigInt(SECOND))).toEqual({ corporationId: BigInt(OTHER_CORP), allianceId: null, at: expect.any(Date) });
    expect(await directory.corporation(98999999n)).toBeUndefined();
    expect(await directory.alliance(99999999n)).toBeUndefined();
    expect(await directory.affiliation(90999999n)).toBeUndefined();
    expect(await directory.idsByName(['Corp Two', 'nobody'], undefined, { errorScope: 'guild:1' })).toEqual({ corporations: [{ id: BigInt(OTHER_CORP), name: 'Corp Two' }], alliances: [] });
  });

  it('given ESI down, then the directory throws instead of pretending the corporation does not exist', async () => {
    h.eve.esi.failNext({ path: /^\/corporations\// }, { status: 503 }, 3);
    expect(await rejection(new EsiDirectory(h.client).corporation(BigInt(CORP)))).toBeInstanceOf(EsiUnavailableError);
    h.eve.esi.failNext({ path: /^\/universe\/ids$/ }, { status: 503 }, 3);
    expect(await rejection(new EsiDirectory(h.client).idsByName(['Corp One']))).toBeInstanceOf(EsiUnavailableError);
  });
});
