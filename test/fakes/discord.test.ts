// The fake Discord must hold up against the real discord.js client: log in,
// register commands, answer interactions (reply, defer+edit, follow-up with a
// file, autocomplete, buttons), send DMs, and survive injected failures.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  GatewayIntentBits,
  MessageFlags,
  SlashCommandBuilder,
  type Interaction,
} from 'discord.js';
import { FakeDiscord } from './discord/index.ts';

const USER = '200000000000000001';

describe('fake Discord against the real discord.js client', () => {
  let fake: FakeDiscord;
  let client: Client;
  const handlerErrors: unknown[] = [];

  beforeAll(async () => {
    fake = await FakeDiscord.start({
      guilds: [{ id: '1180000000000000100', name: 'Test Corp', roles: [{ id: '1180000000000000300', name: 'Director', permissions: '32' }] }],
    });
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    client.on('interactionCreate', (interaction) => {
      handle(interaction).catch((error: unknown) => handlerErrors.push(error));
    });
    const started = performance.now();
    const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
    await client.login(fake.botToken);
    await ready;
    await fake.waitForReady();
    // GUILD_CREATE arrived: discord.js did not sit out its 15 s guild timeout.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  afterAll(async () => {
    await client?.destroy();
    await fake?.close();
  });

  async function handle(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) {
      const typed = interaction.options.getFocused();
      await interaction.respond(['alpha', 'beta'].filter((n) => n.startsWith(typed)).map((n) => ({ name: n, value: n })));
      return;
    }
    if (interaction.isButton()) {
      await interaction.update({ content: `clicked ${interaction.customId}`, components: [] });
      return;
    }
    if (!interaction.isChatInputCommand()) return;
    switch (interaction.commandName) {
      case 'ping':
        await interaction.reply({ content: 'pong', flags: MessageFlags.Ephemeral });
        return;
      case 'report': {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        await interaction.editReply({ content: `working for ${interaction.user.username}` });
        const file = new AttachmentBuilder(Buffer.from('a,b\n'), { name: 'x.csv' });
        const followUp = await interaction.followUp({ content: 'here', files: [file], flags: MessageFlags.Ephemeral });
        if (followUp.attachments.first()?.name !== 'x.csv') throw new Error('follow-up lost its attachment');
        return;
      }
      case 'export': {
        // Deferred, then a follow-up only: Discord turns it into the reply.
        await interaction.deferReply();
        await interaction.followUp({ files: [new AttachmentBuilder(Buffer.from('x'), { name: 'y.txt' })] });
        return;
      }
      case 'buttons': {
        const row = new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('confirm').setLabel('OK').setStyle(ButtonStyle.Primary));
        const response = await interaction.reply({ content: 'choose', components: [row], withResponse: true });
        if (!response.resource?.message?.id) throw new Error('with_response gave no message');
        return;
      }
      case 'twice':
        await interaction.reply('one');
        try {
          // Bypass discord.js' own guard to hit the server's 40060.
          await client.rest.post(`/interactions/${interaction.id}/${interaction.token}/callback`, { body: { type: 4, data: { content: 'two' } }, auth: false });
        } catch (error) {
          await interaction.followUp(`second ack refused: ${(error as DiscordAPIError).code}`);
        }
        return;
      case 'dm': {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        await client.users.send(interaction.user.id, { content: 'hello in private' });
        const member = await interaction.guild!.members.fetch(interaction.user.id);
        await interaction.editReply(`sent; you have ${member.roles.cache.size} role(s)`);
        return;
      }
    }
  }

  it('logs in with Guilds intent only and a well-formed token', () => {
    expect(fake.identifyIntents).toBe(GatewayIntentBits.Guilds);
    expect(Buffer.from(fake.botToken.split('.')[0]!, 'base64').toString()).toBe(fake.botUserId);
    expect(client.guilds.cache.get(fake.guildIds[0]!)?.name).toBe('Test Corp');
    expect(fake.gatewayConnections[0]?.query).toMatchObject({ v: '10', encoding: 'json' });
    const gatewayBot = fake.requests.find((r) => r.path === '/gateway/bot');
    expect(gatewayBot?.headers.authorization).toBe(`Bot ${fake.botToken}`);
  });

  it('stores commands registered with application.commands.set', async () => {
    const commands = ['ping', 'report', 'export', 'buttons', 'twice', 'dm'].map((name) => new SlashCommandBuilder().setName(name).setDescription(`${name} command`).toJSON());
    commands.push(new SlashCommandBuilder().setName('pick').setDescription('pick one').addStringOption((o) => o.setName('item').setDescription('item').setAutocomplete(true)).toJSON());
    const registered = await client.application!.commands.set(commands);
    expect(registered.size).toBe(7);
    expect(fake.commandRegistrations).toBe(1);
    expect((fake.commands('global') as { name: string }[]).map((c) => c.name)).toContain('pick');
    const guildScoped = await client.application!.commands.set([commands[0]!], fake.guildIds[0]!);
    expect(guildScoped.first()?.guildId).toBe(fake.guildIds[0]);
    expect(fake.commands(fake.guildIds[0]!)).toHaveLength(1);
    // Discord refuses invalid definitions, so does the fake.
    await expect(client.application!.commands.set([{ name: 'Bad Name', description: 'x' }])).rejects.toMatchObject({ code: 50035 });
  });

  it('records an ephemeral reply', async () => {
    const handle = await fake.sendCommand({ name: 'ping', userId: USER, username: 'pilot' });
    const response = await handle.waitForResponse();
    expect(response).toMatchObject({ kind: 'callback', type: 4, body: { data: { content: 'pong', flags: 64 } } });
    expect(handle.firstResponseAt! - handle.dispatchedAt).toBeLessThan(3_000);
    const reply = handle.currentReply();
    expect(reply).toMatchObject({ content: 'pong', ephemeral: true, loading: false });
    const callback = fake.requests.find((r) => r.path === `/interactions/${handle.id}/${handle.token}/callback`);
    expect(callback?.query.with_response).toBe('false');
    expect(callback?.status).toBe(204);
  });

  it('records defer, edit of @original and a follow-up with a file', async () => {
    const handle = await fake.sendCommand({ name: 'report', userId: USER, username: 'pilot' });
    const followUp = await handle.waitForResponse((r) => r.kind === 'followup');
    expect(handle.responses.map((r) => r.kind)).toEqual(['callback', 'edit', 'followup']);
    expect(handle.responses[0]).toMatchObject({ type: 5, body: { data: { flags: 64 } } });
    expect(followUp.body).toMatchObject({ content: 'here', flags: 64 });
    expect(followUp.files).toHaveLength(1);
    expect(followUp.files[0]).toMatchObject({ name: 'x.csv' });
    expect(followUp.files[0]!.data.toString()).toBe('a,b\n');
    expect(await handle.waitForReply()).toMatchObject({ content: 'working for pilot', ephemeral: true });
    const edit = fake.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/messages/@original'));
    expect(edit?.headers.authorization).toBeUndefined();
  });

  it('turns the first follow-up after a deferral into the reply', async () => {
    const handle = await fake.sendCommand({ name: 'export', userId: USER });
    const reply = await handle.waitForReply((r) => r.files.length > 0);
    expect(reply.loading).toBe(false);
    expect(reply.attachments[0]).toMatchObject({ filename: 'y.txt', size: 1 });
    const download = await fetch(reply.attachments[0].url);
    expect(await download.text()).toBe('x');
  });

  it('answers with_response=true and handles a button click on the reply', async () => {
    const command = await fake.sendCommand({ name: 'buttons', userId: USER });
    const reply = await command.waitForReply();
    expect(reply.components[0].components[0].custom_id).toBe('confirm');
    const click = await fake.sendButton({ customId: 'confirm', userId: USER, messageId: reply.id });
    const update = await click.waitForResponse();
    expect(update).toMatchObject({ kind: 'callback', type: 7 });
    expect(fake.message(reply.id)).toMatchObject({ content: 'clicked confirm', components: [] });
  });

  it('answers autocomplete', async () => {
    const handle = await fake.sendAutocomplete({ name: 'pick', userId: USER, options: [{ name: 'item', type: 3, value: 'al' }], focused: 'item' });
    const response = await handle.waitForResponse();
    expect(response.body).toEqual({ type: 8, data: { choices: [{ name: 'alpha', value: 'alpha' }] } });
  });

  it('refuses a second acknowledgement with 40060', async () => {
    const handle = await fake.sendCommand({ name: 'twice', userId: USER });
    const followUp = await handle.waitForResponse((r) => r.kind === 'followup');
    expect(followUp.body.content).toBe('second ack refused: 40060');
    expect(handle.refused[0]).toMatchObject({ status: 400, body: { code: 40060 } });
  });

  it('records DMs and serves guild members', async () => {
    const handle = await fake.sendCommand({ name: 'dm', userId: USER, roles: ['1180000000000000300'], permissions: '32' });
    const dm = await fake.waitForDirectMessage((m) => m.userId === USER);
    expect(dm.body.content).toBe('hello in private');
    expect((await handle.waitForReply()).content).toBe('sent; you have 2 role(s)'); // the role plus @everyone
    expect(fake.requests.some((r) => r.method === 'POST' && r.path === '/users/@me/channels' && r.body.recipient_id === USER)).toBe(true);
  });

  it('replays injected 429 and 500 answers, then succeeds', async () => {
    fake.failNext({ method: 'POST', path: /^\/interactions\// }, { status: 429, body: { message: 'You are being rate limited.', retry_after: 0.01, global: false } });
    fake.failNext({ method: 'PATCH', path: /@original$/ }, { status: 500 });
    const handle = await fake.sendCommand({ name: 'report', userId: USER, username: 'pilot' });
    await handle.waitForResponse((r) => r.kind === 'followup');
    const callbacks = fake.requests.filter((r) => r.path.startsWith(`/interactions/${handle.id}/`));
    expect(callbacks.map((r) => r.status)).toEqual([429, 204]);
    const edits = fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes(handle.token));
    expect(edits.map((r) => r.status)).toEqual([500, 200]);
  });

  it('saw no unknown routes and no handler errors', () => {
    expect(handlerErrors).toEqual([]);
    expect(fake.unexpected).toEqual([]);
  });
});

describe('fake Discord: shards, DMs, heartbeats and resume', () => {
  const first = 1180000000000000100n;
  // Guild ids on different shards of 2: shard = (id >> 22) % 2.
  const guildA = first.toString();
  const guildB = (first + (1n << 22n)).toString();
  let fake: FakeDiscord;
  const clients: Client[] = [];

  beforeAll(async () => {
    fake = await FakeDiscord.start({ heartbeatIntervalMs: 250, guilds: [{ id: guildA, name: 'A' }, { id: guildB, name: 'B' }] });
    for (const shard of [0, 1]) {
      const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl }, shards: [shard], shardCount: 2 });
      client.on('interactionCreate', (interaction) => {
        if (interaction.isChatInputCommand()) void interaction.reply(`shard ${shard} in ${interaction.guildId ?? 'DM'}`).catch(() => undefined);
      });
      clients.push(client);
      await client.login(fake.botToken);
    }
    await fake.waitForReady(15_000, 2);
  });

  afterAll(async () => {
    for (const client of clients) await client.destroy();
    await fake?.close();
  });

  it('sends each guild to the shard that owns it, DMs to shard 0', async () => {
    const shardOf = (id: string) => Number((BigInt(id) >> 22n) % 2n);
    expect(shardOf(guildA)).not.toBe(shardOf(guildB));
    for (const guildId of [guildA, guildB]) {
      const handle = await fake.sendCommand({ name: 'where', userId: USER, guildId });
      expect((await handle.waitForReply()).content).toBe(`shard ${shardOf(guildId)} in ${guildId}`);
    }
    expect(clients[shardOf(guildA)]!.guilds.cache.has(guildA)).toBe(true);
    expect(clients[shardOf(guildA)]!.guilds.cache.has(guildB)).toBe(false);
    const dm = await fake.sendCommand({ name: 'where', userId: USER, guildId: null });
    expect(dm.payload.member).toBeUndefined();
    expect(dm.payload.user.id).toBe(USER);
    expect((await dm.waitForReply()).content).toBe('shard 0 in DM');
  });

  it('answers heartbeats and lets a dropped connection resume', async () => {
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(clients.every((c) => c.ws.ping >= 0)).toBe(true);
    expect(fake.gatewayConnections).toHaveLength(2); // no zombie reconnects
    const shard0 = fake.gatewayConnections.find((c) => c.shard?.[0] === 0)!;
    fake.disconnectGateway({ code: 4000, connection: shard0.index });
    const connections = await fake.waitForGateway((all) => all.some((c) => c.index > 1 && c.ready && c.shard?.[0] === 0));
    const resumed = connections.find((c) => c.index > 1)!;
    expect(resumed.sessionId).toBe(shard0.sessionId);
    expect(resumed.received.map((p) => p.op)).toContain(6);
    const handle = await fake.sendCommand({ name: 'where', userId: USER, guildId: null });
    expect((await handle.waitForReply()).content).toBe('shard 0 in DM');
    expect(fake.unexpected).toEqual([]);
  });
});
