import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmScriptArguments, ROOT, randomEncryptionKey } from '../support/botProcess.ts';
import type { InteractionHandle } from '../fakes/discord/index.ts';
import { answerConfirmation, bedWithLinkedPilots, buttonUrl, confirmationForm, CORP, followToCallback } from '../support/linking.ts';
import { TestBed } from '../support/testBed.ts';

const run = promisify(execFile);
const USER = '200000000000000031';
const FIRST = { id: 92100001, name: 'Rota First', wallet: 1_000_000 };
const SECOND = { id: 92100002, name: 'Rota Second', wallet: 2_000_000 };
const THIRD = { id: 92100003, name: 'Rota Third', wallet: 3_000_000 };

/** npm run keys:rotate [-- args], with the bed's configuration and these variables over it. */
const rotateIn = (bed: TestBed, env: Record<string, string>, args: string[] = []) =>
  run(process.execPath, [...npmScriptArguments('keys:rotate'), ...args], { cwd: ROOT, env: { ...process.env, ...bed.env, ...env }, timeout: 60_000 });

/**
 * Issue 14: seal with key A, start with B and old A, rotate, start with B
 * alone, and everything opens.
 */
describe('rotating TOKEN_ENCRYPTION_KEY', () => {
  let bed: TestBed;
  const keyA = randomEncryptionKey();
  const keyB = randomEncryptionKey();

  beforeAll(async () => {
    bed = await bedWithLinkedPilots(USER, [FIRST, SECOND, THIRD], { env: { TOKEN_ENCRYPTION_KEY: keyA } });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  const balance = async (characterId: number) => {
    const interaction = await bed.discord.sendCommand({ name: 'wallet', userId: USER, options: [{ name: 'character', type: 3, value: String(characterId) }] });
    const reply = await interaction.waitForReply((r) => !r.loading, 20_000);
    return `${reply.content ?? ''}${JSON.stringify(reply.embeds ?? [])}`;
  };
  const keyIds = async () => (await bed.db.grant.findMany({ select: { keyId: true }, orderBy: { characterId: 'asc' } })).map((g) => g.keyId);
  const rotate = (env: Record<string, string>) => rotateIn(bed, env);

  it('given rows sealed with A, when the bot starts with B alone, then they do not open and the message says which key is missing', async () => {
    const [sealedWithA] = await keyIds();
    await bed.bot!.stop();
    await bed.startBot({ TOKEN_ENCRYPTION_KEY: keyB });
    const text = await balance(FIRST.id);
    expect(text).not.toContain('1,000,000');
    expect(text).toContain('cannot read its stored login for **Rota First**');
    // The log says which key the rows need (written beside the reply, so waited for).
    await bed.bot!.waitForLog((l) => JSON.stringify(l.err ?? '').includes(`sealed with key ${sealedWithA}`));
    expect(await keyIds()).toEqual([sealedWithA, sealedWithA, sealedWithA]);
  });

  it('given B and old A, then every login opens, and one used is re-sealed with B', async () => {
    await bed.bot!.stop();
    await bed.startBot({ TOKEN_ENCRYPTION_KEY: keyB, TOKEN_ENCRYPTION_OLD_KEYS: `${randomEncryptionKey()}, ${keyA}` });
    expect(await balance(FIRST.id)).toContain('1,000,000.00 ISK');
    await bed.bot!.waitForLog((l) => l.msg === 'login re-sealed with the current key');
    const [first, second, third] = await keyIds();
    expect(first).not.toBe(second);
    expect(second).toBe(third);
  });

  it('when keys:rotate runs, then it re-seals the rest in batches, says the old key can go, and a second run finds nothing', async () => {
    const env = { TOKEN_ENCRYPTION_KEY: keyB, TOKEN_ENCRYPTION_OLD_KEYS: keyA };
    const { stdout } = await rotate(env);
    expect(stdout).toMatch(/grant: 2 re-sealed, 0 unreadable/);
    expect(stdout).toContain('TOKEN_ENCRYPTION_OLD_KEYS can be removed');
    expect(stdout).not.toContain(keyA);
    expect(stdout).not.toContain(keyB);
    expect(new Set(await keyIds()).size).toBe(1);
    const again = await rotate(env);
    expect(again.stdout).toMatch(/grant: 0 re-sealed, 0 unreadable/);
  });

  it('given B alone after the rotation, then every login opens, refresh tokens included', async () => {
    await bed.bot!.stop();
    // Expired access tokens: the refresh tokens themselves must open with B.
    await bed.db.grant.updateMany({ data: { accessTokenExpiresAt: new Date(Date.now() - 60_000) } });
    await bed.startBot({ TOKEN_ENCRYPTION_KEY: keyB });
    expect(await balance(SECOND.id)).toContain('2,000,000.00 ISK');
    expect(await balance(THIRD.id)).toContain('3,000,000.00 ISK');
    expect(await balance(FIRST.id)).toContain('1,000,000.00 ISK');
  });

  it('given a row no configured key opens, then keys:rotate counts it, leaves it, and exits non-zero', async () => {
    await bed.db.grant.updateMany({ where: { characterId: THIRD.id }, data: { keyId: 'unknownkey00' } });
    const failed = await rotate({ TOKEN_ENCRYPTION_KEY: keyB, TOKEN_ENCRYPTION_OLD_KEYS: keyA }).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stdout).toMatch(/grant: 0 re-sealed, 1 unreadable/);
    expect((await bed.db.grant.findUnique({ where: { characterId: THIRD.id } }))?.keyId).toBe('unknownkey00');
  });
});

/**
 * --batch-size 1: one row a transaction, so every table is paged row by row
 * (grants by character id, pending logins and confirmations by their text
 * keys), and logins still in flight come through the rotation too.
 */
describe('rotating TOKEN_ENCRYPTION_KEY one row a transaction (keys:rotate --batch-size 1)', () => {
  const USER_B = '200000000000000032';
  const LINKED = [
    { id: 92100011, name: 'Batch One', wallet: 11_000 },
    { id: 92100012, name: 'Batch Two', wallet: 12_000 },
    { id: 92100013, name: 'Batch Three', wallet: 13_000 },
  ];
  // Logged in at EVE but not yet confirmed in the browser (a link confirmation)...
  const CONFIRMING = { id: 92100014, name: 'Batch Confirming', wallet: 14_000 };
  // ... and two /link buttons not yet followed (pending logins).
  const PENDING = [
    { id: 92100015, name: 'Batch Pending One', wallet: 15_000 },
    { id: 92100016, name: 'Batch Pending Two', wallet: 16_000 },
  ];
  const keyA = randomEncryptionKey();
  const keyB = randomEncryptionKey();
  let bed: TestBed;
  let confirmation: { callback: string; form: { action: string; value: string } };
  let pending: { url: string; interaction: InteractionHandle }[];

  beforeAll(async () => {
    bed = await bedWithLinkedPilots(USER_B, LINKED, { env: { TOKEN_ENCRYPTION_KEY: keyA } });
    for (const pilot of [CONFIRMING, ...PENDING]) bed.eve.addCharacter({ ...pilot, corporationId: CORP.id });
    bed.eve.nextLogin(CONFIRMING.id);
    const link = await bed.discord.sendCommand({ name: 'link', userId: USER_B });
    const callback = await followToCallback(buttonUrl(await link.waitForReply()));
    confirmation = { callback, form: confirmationForm(await (await fetch(callback)).text()) };
    pending = [];
    for (let i = 0; i < PENDING.length; i += 1) {
      const interaction = await bed.discord.sendCommand({ name: 'link', userId: USER_B });
      pending.push({ interaction, url: buttonUrl(await interaction.waitForReply()) });
    }
  });
  afterAll(async () => {
    await bed?.stop();
  });

  const wallet = async (characterId: number) => {
    const interaction = await bed.discord.sendCommand({ name: 'wallet', userId: USER_B, options: [{ name: 'character', type: 3, value: String(characterId) }] });
    const reply = await interaction.waitForReply((r) => !r.loading, 20_000);
    return JSON.stringify(reply.embeds ?? []);
  };
  const keyIdsOf = async () => [
    ...(await bed.db.grant.findMany({ select: { keyId: true } })),
    ...(await bed.db.pendingLogin.findMany({ select: { keyId: true } })),
    ...(await bed.db.linkConfirmation.findMany({ select: { keyId: true } })),
  ].map((row) => row.keyId);

  it('given a batch size that is not a whole number of rows from 1, then keys:rotate stops before touching anything', async () => {
    for (const size of ['0', '-1', '2.5', 'many']) {
      const failed = await rotateIn(bed, { TOKEN_ENCRYPTION_KEY: keyB, TOKEN_ENCRYPTION_OLD_KEYS: keyA }, [`--batch-size=${size}`]).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code, size).toBe(1);
      expect(failed?.stderr, size).toContain('--batch-size must be a whole number of rows, at least 1');
    }
    expect(new Set(await keyIdsOf()).size).toBe(1);
  });

  it('given three grants, a link confirmation and two pending logins sealed with A, when keys:rotate --batch-size 1 runs with B and old A, then each row is its own batch and every count is printed', async () => {
    expect(await bed.db.grant.count()).toBe(3);
    expect(await bed.db.linkConfirmation.count()).toBe(1);
    expect(await bed.db.pendingLogin.count()).toBe(2);
    const [keyIdA] = await keyIdsOf();
    expect(new Set(await keyIdsOf())).toEqual(new Set([keyIdA]));
    await bed.bot!.stop();

    const { stdout } = await rotateIn(bed, { TOKEN_ENCRYPTION_KEY: keyB, TOKEN_ENCRYPTION_OLD_KEYS: keyA }, ['--batch-size', '1']);
    const progress = stdout.split('\n').filter((line) => line.startsWith('  '));
    expect(progress).toEqual([
      '  grant: 1 re-sealed so far',
      '  grant: 2 re-sealed so far',
      '  grant: 3 re-sealed so far',
      '  pending_login: 1 re-sealed so far',
      '  pending_login: 2 re-sealed so far',
      '  link_confirmation: 1 re-sealed so far',
    ]);
    expect(stdout).toContain('grant: 3 re-sealed, 0 unreadable\npending_login: 2 re-sealed, 0 unreadable\nlink_confirmation: 1 re-sealed, 0 unreadable\n');
    expect(stdout).toContain('TOKEN_ENCRYPTION_OLD_KEYS can be removed');
    const after = new Set(await keyIdsOf());
    expect(after.size).toBe(1);
    expect(after.has(keyIdA!)).toBe(false);

    const again = await rotateIn(bed, { TOKEN_ENCRYPTION_KEY: keyB, TOKEN_ENCRYPTION_OLD_KEYS: keyA }, ['--batch-size', '1']);
    expect(again.stdout).toContain('grant: 0 re-sealed, 0 unreadable\npending_login: 0 re-sealed, 0 unreadable\nlink_confirmation: 0 re-sealed, 0 unreadable\n');
  });

  it('given B alone after the rotation, then the grants open (refresh tokens included), the confirmation links, and both pending logins complete', async () => {
    // Expired access tokens: the refresh tokens themselves must open with B.
    await bed.db.grant.updateMany({ data: { accessTokenExpiresAt: new Date(Date.now() - 60_000) } });
    await bed.startBot({ TOKEN_ENCRYPTION_KEY: keyB });
    for (const pilot of LINKED) expect(await wallet(pilot.id), pilot.name).toContain(`${pilot.wallet.toLocaleString('en-US')}.00 ISK`);

    const confirmed = await answerConfirmation(confirmation.callback, confirmation.form, 'confirm');
    expect(confirmed.html).toContain(`Linked ${CONFIRMING.name}`);
    expect(await wallet(CONFIRMING.id)).toContain('14,000.00 ISK');

    for (const [i, pilot] of PENDING.entries()) {
      bed.eve.nextLogin(pilot.id);
      const callback = await followToCallback(pending[i]!.url);
      const page = await fetch(callback);
      const html = await page.text();
      expect(page.status, pilot.name).toBe(200);
      expect((await answerConfirmation(callback, confirmationForm(html), 'confirm')).html).toContain(`Linked ${pilot.name}`);
      // The interaction token sealed in the pending login opened too: the /link reply says so.
      await pending[i]!.interaction.waitForReply((r) => (r.content ?? '').includes(pilot.name) || JSON.stringify(r.embeds ?? []).includes(pilot.name));
      expect(await wallet(pilot.id), pilot.name).toContain(`${pilot.wallet.toLocaleString('en-US')}.00 ISK`);
    }
    expect(await bed.db.grant.count()).toBe(6);
  });
});
