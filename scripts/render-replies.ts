// npm run docs:replies: pictures of the bot's replies for the README.
//
// Starts the test bed (fake Discord, fake EVE, a fresh Postgres database, the
// real bot), links a few characters, runs the commands as the end-to-end tests
// do, and renders each final reply as Discord's dark theme shows it: phone
// width into docs/replies/<name>.png, and every page (phone and desktop HTML,
// desktop PNG, the payload JSON) into a temporary directory for a closer look.
// Needs Postgres like the tests; without Chromium only the HTML is written.
// Emoji need a colour emoji font (Debian: fonts-noto-color-emoji).
//
//   npm run docs:replies
//   npm run docs:replies -- --payload reply.json [--width 390] [--out reply.png]
//     renders one payload: a message payload, or a <name>.json this script wrote
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ReplyView } from '../test/fakes/discord/index.ts';
import type { MessagePayload, RenderOptions } from '../test/support/discordRender.ts';
import setupTestDatabases from '../test/support/globalSetup.ts';
import { linkCharacter } from '../test/support/linking.ts';
import { findChromium, screenshotMessage } from '../test/support/screenshot.ts';
import { TestBed } from '../test/support/testBed.ts';

const PHONE = 390;
const DESKTOP = 800;
const DOCS = resolve(import.meta.dirname, '../docs/replies');

/** One reply as the script keeps it (and --payload reads back). */
interface Capture {
  name: string;
  /** its phone picture goes into docs/replies (the others only into the temporary directory) */
  docs?: boolean;
  payload: MessagePayload;
  options: Pick<RenderOptions, 'invoker' | 'names' | 'botName'> & { now: string };
}

const chromium = findChromium();

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { payload: { type: 'string' }, width: { type: 'string', default: String(PHONE) }, out: { type: 'string' } } });
  if (!chromium) process.stderr.write('No Chromium found (set CHROMIUM=/path/to/chromium): writing the HTML only.\n');
  else if (!hasEmojiFont()) process.stderr.write('No colour emoji font found: emoji will show as boxes (Debian: apt-get install fonts-noto-color-emoji).\n');

  if (values.payload) {
    const file = resolve(values.payload);
    const json = JSON.parse(readFileSync(file, 'utf8')) as Partial<Capture> & MessagePayload;
    const capture: Capture = json.payload ? (json as Capture) : { name: basename(file, '.json'), payload: json, options: { now: new Date().toISOString() } };
    await render(capture, Number(values.width), resolve(values.out ?? `${file.replace(/\.json$/, '')}.png`));
    return;
  }

  const captures = await captureReplies();
  const scratch = mkdtempSync(join(tmpdir(), 'evebot-replies-'));
  mkdirSync(DOCS, { recursive: true });
  for (const capture of captures) {
    writeFileSync(join(scratch, `${capture.name}.json`), `${JSON.stringify(capture, (_key, value) => (isBufferJson(value) ? Buffer.from(value.data).toString('base64') : value), 2)}\n`);
    await render(capture, PHONE, join(capture.docs ? DOCS : scratch, `${capture.name}.png`), join(scratch, `${capture.name}-phone.html`));
    await render(capture, DESKTOP, join(scratch, `${capture.name}-desktop.png`));
  }
  process.stdout.write(`${chromium ? `Phone pictures in ${DOCS}; ` : ''}all pages, pictures and payloads (re-render one with --payload) in ${scratch}\n`);
}

async function render(capture: Capture, width: number, pngPath: string, htmlPath?: string): Promise<void> {
  const { height } = await screenshotMessage(capture.payload, pngPath, {
    ...capture.options,
    now: new Date(capture.options.now),
    width,
    title: capture.name,
    ...(htmlPath ? { htmlPath } : {}),
    ...(chromium ? { chromium } : {}),
  });
  if (height !== undefined) process.stdout.write(`${pngPath} (${width}×${height})\n`);
}

function hasEmojiFont(): boolean {
  try {
    return /emoji/i.test(execFileSync('fc-list', [':', 'family'], { encoding: 'utf8' }));
  } catch {
    return true; // no fontconfig to ask: say nothing
  }
}

function isBufferJson(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data);
}

// ---- the replies ----

/**
 * The replies whose phone pictures go into docs/replies (small enough for the
 * README: /help repeats the README's table, the audit summary is long).
 */
const IN_DOCS = new Set(['link', 'characters', 'wallet', 'wallet-character', 'skills', 'audit-summary']);

const GUILD = '1180000000000000100';
const MANAGE_GUILD = '32';
const ALLIANCE = { id: 99000001, name: 'Outer Ring Syndicate', ticker: 'ORS' };
const CORP = { id: 98000001, name: 'Kestrel Deep Mining', ticker: 'KDM', allianceId: ALLIANCE.id };
const OTHER_CORP = { id: 98000002, name: 'Rustline Haulage', ticker: 'RUST' };

const USERS = {
  maya: { id: '200000000000000021', name: 'maya' },
  orin: { id: '200000000000000100', name: 'orin' },
  bob: { id: '200000000000000111', name: 'bob.h' },
  kai: { id: '200000000000000112', name: 'kai' },
  newbie: { id: '200000000000000113', name: 'lena' },
};

const HOUR = 3600_000;
const at = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();

const MAYA = {
  id: 92000001,
  name: 'Maya Sarkozen',
  wallet: 1_482_530_117.42,
  journal: [
    ['bounty_prizes', 18_750_000],
    ['ess_escrow_transfer', 4_210_500],
    ['market_transaction', -212_000_000],
    ['transaction_tax', -1_590_000],
    ['bounty_prizes', 21_300_000],
    ['player_donation', 50_000_000],
    ['brokers_fee', -845_000.5],
    ['agent_mission_reward', 3_400_000],
    ['bounty_prizes', 16_050_000],
    ['corporate_reward_payout', 9_999_999.99],
    ['market_transaction', 88_000_000],
    ['bounty_prizes', 12_000_000],
  ].map(([refType, amount], i) => ({
    id: 7_000_000 + i,
    date: at(-(i + 1) * 2.5 * HOUR),
    ref_type: refType as string,
    description: 'entry',
    amount: amount as number,
    balance: 1_482_530_117.42 - i * 9_000_000,
  })),
  skills: {
    skills: [
      { skill_id: 3436, active_skill_level: 4, trained_skill_level: 4, skillpoints_in_skill: 181_020 },
      { skill_id: 3300, active_skill_level: 5, trained_skill_level: 5, skillpoints_in_skill: 256_000 },
      { skill_id: 3437, active_skill_level: 2, trained_skill_level: 2, skillpoints_in_skill: 2_829 },
    ],
    total_sp: 48_315_775,
    unallocated_sp: 250_000,
  },
  skillqueue: [
    { skill_id: 3436, finished_level: 5, queue_position: 0, start_date: at(-20 * HOUR), finish_date: at(3 * 24 * HOUR + 4 * HOUR), level_start_sp: 181_020, level_end_sp: 1_024_000, training_start_sp: 181_020 },
    { skill_id: 3437, finished_level: 3, queue_position: 1, start_date: at(3 * 24 * HOUR + 4 * HOUR), finish_date: at(3 * 24 * HOUR + 9 * HOUR), level_start_sp: 2_829, level_end_sp: 16_000, training_start_sp: 2_829 },
    { skill_id: 12305, finished_level: 4, queue_position: 2, start_date: at(3 * 24 * HOUR + 9 * HOUR), finish_date: at(5 * 24 * HOUR), level_start_sp: 45_255, level_end_sp: 256_000, training_start_sp: 45_255 },
    { skill_id: 3319, finished_level: 5, queue_position: 3, start_date: at(5 * 24 * HOUR), finish_date: at(11 * 24 * HOUR), level_start_sp: 90_510, level_end_sp: 512_000, training_start_sp: 90_510 },
  ],
};
// Aldo's queue ran out three hours ago: /skills character: shows the empty-queue warning with its time.
const ALDO = {
  id: 92000002,
  name: 'Aldo Rhenault',
  wallet: 73_410_880.5,
  skills: { skills: [{ skill_id: 3300, active_skill_level: 4, trained_skill_level: 4, skillpoints_in_skill: 181020 }], total_sp: 18_400_000, unallocated_sp: 0 },
  skillqueue: [{ skill_id: 3300, finished_level: 4, queue_position: 0, start_date: at(-30 * HOUR), finish_date: at(-3 * HOUR), level_start_sp: 45255, level_end_sp: 181020, training_start_sp: 45255 }],
};
const KIRA = { id: 92000003, name: 'Kira Vantablack', wallet: 5_250_000 };
const ORIN = { id: 92000010, name: 'Orin Vasquez', wallet: 912_000_000 };
const BOB = { id: 92000020, name: 'Bob Halvard' };
const DORA = { id: 92000021, name: 'Dora Lindqvist' };
const KAI = { id: 92000030, name: 'Kai Morrow' };
const MIKE = { id: 92000040, name: 'Mike Oyelaran' };

const SKILL_NAMES: [number, string][] = [
  [3436, 'Drones'],
  [3437, 'Drone Avionics'],
  [3300, 'Gunnery'],
  [12305, 'Drone Navigation'],
  [3319, 'Missile Launcher Operation'],
];

async function captureReplies(): Promise<Capture[]> {
  const teardown = await setupTestDatabases();
  let bed: TestBed | undefined;
  let stopping: Promise<void> | undefined;
  // Stop the bot and drop the databases once, whether the run ends, fails or is interrupted.
  const cleanUp = () =>
    (stopping ??= (async () => {
      await bed?.stop().catch((error: unknown) => process.stderr.write(`stopping the test bed: ${String(error)}\n`));
      await teardown();
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: cleaning up…\n`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    bed = await TestBed.start({
      env: { LOG_LEVEL: 'info' },
      discord: { botUsername: 'EVE Corp Bot', guilds: [{ id: GUILD, name: 'Kestrel Deep Mining', members: Object.values(USERS).map((u) => ({ userId: u.id, username: u.name })) }] },
    });
    const { eve, discord, db } = bed;
    eve.addAlliance(ALLIANCE);
    eve.addCorporation(CORP);
    eve.addCorporation(OTHER_CORP);
    for (const [id, name] of SKILL_NAMES) eve.addName(id, name, 'inventory_type');
    for (const c of [MAYA, ALDO, KIRA, ORIN, BOB, DORA, KAI, MIKE]) eve.addCharacter({ ...c, corporationId: CORP.id });

    const link = (user: { id: string }, character: { id: number }) => linkCharacter(bed!, user.id, character.id, { guildId: GUILD });
    const linked = await link(USERS.maya, MAYA);
    await link(USERS.maya, ALDO);
    await link(USERS.maya, KIRA);
    await link(USERS.orin, ORIN);
    await link(USERS.bob, BOB);
    await link(USERS.bob, DORA);
    await link(USERS.kai, KAI);

    // Kai's login lacks the skills scope; Dora's login is revoked at the SSO and a command finds out.
    const grant = await db.grant.findUniqueOrThrow({ where: { characterId: BigInt(KAI.id) } });
    await db.grant.update({ where: { characterId: BigInt(KAI.id) }, data: { scopes: grant.scopes.filter((s) => s !== 'esi-skills.read_skills.v1') } });
    eve.revokeCharacter(DORA.id);
    await db.grant.update({ where: { characterId: BigInt(DORA.id) }, data: { accessTokenExpiresAt: new Date(0) } });
    const dead = await discord.sendCommand({ name: 'wallet', userId: USERS.bob.id, guildId: GUILD, options: [{ name: 'character', type: 3, value: String(DORA.id) }] });
    await dead.waitForReply((r) => /expired or was revoked/.test(r.content ?? ''), 20_000);
    // Bob moved to another corporation in game.
    eve.addCharacter({ ...BOB, corporationId: OTHER_CORP.id });
    eve.clearEsiCache();
    await db.guildSettings.create({ data: { guildId: BigInt(GUILD), trackedCorporationIds: [BigInt(CORP.id)] } });

    const names = { users: Object.fromEntries(Object.values(USERS).map((u) => [u.id, u.name])) };
    const captures: Capture[] = [];
    const runAs = async (
      file: string,
      user: { id: string; name: string },
      command: string,
      options: { name: string; type: number; value?: string; options?: { name: string; type: number; value: string }[] }[] = [],
      permissions = '0',
    ) => {
      const interaction = await discord.sendCommand({ name: command, userId: user.id, guildId: GUILD, permissions, options });
      const reply = await interaction.waitForReply((r) => !r.loading, 30_000);
      captures.push(capture(file, reply, user, command, names));
    };

    // The /link reply before the login (its button), and what the first /link reply became after it.
    const pending = await discord.sendCommand({ name: 'link', userId: USERS.newbie.id, guildId: GUILD });
    captures.push(capture('link', await pending.waitForReply(), USERS.newbie, 'link', names));
    captures.push(capture('link-done', await linked.interaction.waitForReply((r) => r.components.length === 0 || /Linked/.test(r.content)), USERS.maya, 'link', names));

    await runAs('help', USERS.maya, 'help');
    await runAs('characters', USERS.maya, 'characters');
    await runAs('wallet', USERS.maya, 'wallet');
    await runAs('wallet-character', USERS.maya, 'wallet', [{ name: 'character', type: 3, value: String(MAYA.id) }]);
    await runAs('skills', USERS.maya, 'skills');
    await runAs('skills-empty', USERS.maya, 'skills', [{ name: 'character', type: 3, value: String(ALDO.id) }]);
    await runAs('audit-summary', USERS.orin, 'audit', [{ name: 'summary', type: 1 }], MANAGE_GUILD);
    return captures;
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function capture(name: string, reply: ReplyView, user: { name: string }, command: string, names: RenderOptions['names']): Capture {
  return {
    name,
    docs: IN_DOCS.has(name),
    payload: {
      content: reply.content,
      embeds: reply.embeds,
      components: reply.components,
      flags: reply.flags,
      attachments: reply.attachments,
      files: reply.files.map((f) => ({ name: f.name, contentType: f.contentType, data: f.data })),
    },
    options: { invoker: { name: user.name, command }, names, botName: 'EVE Corp Bot', now: new Date().toISOString() },
  };
}

await main();
// the bot's pg pool and timers of the fakes may linger: this script is done
process.exit(0);
