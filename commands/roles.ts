import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import type { Command, Reply } from '../src/bot/command.ts';
import { UserFacingError } from '../src/errors.ts';
import { parseId } from '../src/ids.ts';
import type { RoleAccess } from '../src/roles/roleAdmin.ts';
import type { Services } from '../src/services.ts';
import { escapeMarkdown } from '../src/text.ts';
import {
  nicknameReply,
  NOTHING_CHANGED,
  previewReply,
  roleListReply,
  roleSettingsReply,
  roleStrippedReply,
  ruleAddedReply,
  ruleRemovedReply,
  syncDoneReply,
  syncProgressReply,
  type Mentions,
} from './_rolesFormat.ts';
import { memberDisplayName } from './_displayName.ts';
import { guildMemberList } from './_memberList.ts';

const roles: Command = {
  data: new SlashCommandBuilder()
    .setName('roles')
    .setDescription('Discord roles and nicknames from EVE corporations and alliances')
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageRoles)
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((s) =>
      s
        .setName('add')
        .setDescription('Give a role to members in a corporation or alliance, or with a live login')
        .addRoleOption((o) => o.setName('role').setDescription('The role to give').setRequired(true))
        .addStringOption((o) => o.setName('corporation').setDescription('Corporation name or id').setMaxLength(100))
        .addStringOption((o) => o.setName('alliance').setDescription('Alliance name or id').setMaxLength(100))
        .addBooleanOption((o) => o.setName('linked').setDescription('True: anyone with a live linked login'))
        .addStringOption((o) =>
          o
            .setName('through')
            .setDescription("Whose pilot decides: the member's main (default) or any of their pilots")
            .addChoices({ name: 'main', value: 'main' }, { name: 'any', value: 'any' }),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('remove')
        .setDescription("Stop managing a role (members keep it)")
        .addRoleOption((o) => o.setName('role').setDescription('The role').setRequired(true)),
    )
    .addSubcommand((s) => s.setName('list').setDescription('The rules, and what stops the sync'))
    .addSubcommand((s) =>
      s
        .setName('nickname')
        .setDescription('Nicknames from the main pilot, e.g. [{corp_ticker}] {character_name}; "off" stops')
        .addStringOption((o) => o.setName('template').setDescription('Template, or off').setRequired(true).setMaxLength(100)),
    )
    .addSubcommand((s) =>
      s
        .setName('settings')
        .setDescription('Grace for dead logins, nickname exemption, role for members without a pilot')
        .addIntegerOption((o) => o.setName('grace_hours').setDescription('Hours a dead login keeps its roles (0-168, default 24)').setMinValue(0).setMaxValue(168))
        .addRoleOption((o) => o.setName('nickname_exempt_role').setDescription('Members with this role keep their nickname'))
        .addRoleOption((o) => o.setName('unlinked_role').setDescription('Role for members with no linked pilot'))
        .addBooleanOption((o) => o.setName('no_nickname_exempt_role').setDescription('True: no exempt role any more'))
        .addBooleanOption((o) => o.setName('no_unlinked_role').setDescription('True: stop managing the role for members without a pilot')),
    )
    .addSubcommand((s) =>
      s
        .setName('preview')
        .setDescription('What a sync would change, writing nothing')
        .addUserOption((o) => o.setName('user').setDescription('One member in detail')),
    )
    .addSubcommand((s) => s.setName('sync').setDescription('Apply the rules to every member now')),
  ephemeral: true,
  help: 'For officers (Manage Roles): `add`, `remove`, `list`, `nickname`, `settings`, `preview`, `sync`: roles and nicknames from EVE.',
  async execute(interaction, { services, mentions }) {
    if (!interaction.inGuild()) throw new UserFacingError('/roles works in a server: run it there.');
    const guildId = BigInt(interaction.guildId);
    const access: RoleAccess = {
      discordUserId: BigInt(interaction.user.id),
      // Checked on every use: Discord's default permission can be changed by the server's admins.
      canManageRoles: interaction.memberPermissions.has(PermissionFlagsBits.ManageRoles) || interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild),
    };
    services.roleAdmin.assertMayManage(access);
    switch (interaction.options.getSubcommand()) {
      case 'add':
        return add(interaction, services, guildId, access);
      case 'remove':
        return remove(interaction, services, guildId, access);
      case 'nickname':
        return nickname(interaction, services, guildId, access);
      case 'settings':
        return settings(interaction, services, guildId, access, mentions);
      case 'preview':
        return preview(interaction, services, guildId, mentions);
      case 'sync':
        return sync(interaction, services, guildId, mentions);
      default:
        return list(services, guildId, mentions);
    }
  },
  async button(interaction, { services }) {
    const [, action, roleText] = interaction.customId.split(':');
    if (!interaction.inGuild() || action !== 'strip' || roleText === undefined) return NOTHING_CHANGED;
    const roleId = parseId(roleText);
    if (roleId === undefined) return NOTHING_CHANGED;
    const access: RoleAccess = {
      discordUserId: BigInt(interaction.user.id),
      canManageRoles: interaction.memberPermissions.has(PermissionFlagsBits.ManageRoles) || interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild),
    };
    services.roleAdmin.assertMayManage(access);
    await assertOutranks(interaction, services, String(roleId));
    const stripped = await services.roleSync.stripRole(BigInt(interaction.guildId), roleId, access.discordUserId);
    return roleStrippedReply({ roleId, stripped });
  },
};

/**
 * Whether the caller could give this role themselves: Discord lets a member
 * assign only roles below their own highest (the owner and administrators
 * excepted), and the bot must not lend its rank to anyone. The caller's
 * roles come with the interaction; the roles' order is read from Discord
 * now, not from a cache.
 */
async function assertOutranks(
  interaction: ChatInputCommandInteraction<'raw' | 'cached'> | ButtonInteraction<'raw' | 'cached'>,
  services: Services,
  roleId: string,
): Promise<void> {
  if (interaction.memberPermissions.has(PermissionFlagsBits.Administrator)) return;
  const guild = await services.guilds.guild(BigInt(interaction.guildId), { fresh: true });
  const target = guild?.roles.find((role) => String(role.id) === roleId);
  if (guild && guild.ownerId === BigInt(interaction.user.id)) return;
  if (guild && target) {
    const memberRoles = interaction.member.roles;
    const ids = new Set(Array.isArray(memberRoles) ? memberRoles : [...memberRoles.cache.keys()]);
    const highest = Math.max(0, ...guild.roles.filter((role) => ids.has(String(role.id))).map((role) => role.position));
    if (highest > target.position) return;
  }
  // By name, not a mention: error replies carry no allowed_mentions.
  const role = target ? `**${escapeMarkdown(target.name)}**` : 'That role';
  throw new UserFacingError(`${role} is not below your highest role, so you cannot hand it out (Discord would not let you either). Ask someone above it.`);
}

async function memberIds(services: Services, guildId: bigint): Promise<bigint[]> {
  if (!services.audit.listsGuildMembers) return services.roleSync.knownMemberIds(guildId);
  return (await guildMemberList(services, guildId)).map((member) => member.userId);
}

async function add(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, services: Services, guildId: bigint, access: RoleAccess): Promise<Reply> {
  const role = interaction.options.getRole('role', true);
  await assertOutranks(interaction, services, role.id);
  const result = await services.roleAdmin.addRule(
    guildId,
    access,
    {
      roleId: BigInt(role.id),
      corporation: interaction.options.getString('corporation'),
      alliance: interaction.options.getString('alliance'),
      linked: interaction.options.getBoolean('linked'),
      through: interaction.options.getString('through') === 'any' ? 'any' : 'main',
    },
    await memberIds(services, guildId),
  );
  await services.roleSync.requestGuildSync(guildId);
  return ruleAddedReply({ roleId: BigInt(role.id), rule: result.rule, targetName: result.targetName, added: result.added });
}

async function remove(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, services: Services, guildId: bigint, access: RoleAccess): Promise<Reply> {
  const role = interaction.options.getRole('role', true);
  const removed = await services.roleAdmin.removeRules(guildId, access, BigInt(role.id));
  return ruleRemovedReply({ roleId: BigInt(role.id), removed });
}

async function nickname(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, services: Services, guildId: bigint, access: RoleAccess): Promise<Reply> {
  const text = interaction.options.getString('template', true).trim();
  const template = /^off$/i.test(text) ? null : text;
  if (template !== null) {
    const problems = services.roleSync.templateProblems(template);
    if (problems.length > 0) throw new UserFacingError(`That template does not work: ${problems.join('; ')}. Nothing was saved.`);
  }
  await services.roleAdmin.saveSettings(guildId, access, { nicknameTemplate: template });
  await services.roleSync.requestGuildSync(guildId);
  return nicknameReply({ template });
}

async function settings(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, services: Services, guildId: bigint, access: RoleAccess, mentions: Mentions): Promise<Reply> {
  const grace = interaction.options.getInteger('grace_hours');
  const exempt = interaction.options.getRole('nickname_exempt_role');
  const unlinked = interaction.options.getRole('unlinked_role');
  const clearExempt = interaction.options.getBoolean('no_nickname_exempt_role') ?? false;
  const clearUnlinked = interaction.options.getBoolean('no_unlinked_role') ?? false;
  if ((exempt && clearExempt) || (unlinked && clearUnlinked)) throw new UserFacingError('Give a role or clear it, not both.');
  if (unlinked) await assertOutranks(interaction, services, unlinked.id);
  const change = {
    ...(grace !== null ? { graceHours: grace } : {}),
    ...(exempt ? { nicknameExemptRoleId: BigInt(exempt.id) } : clearExempt ? { nicknameExemptRoleId: null } : {}),
    ...(unlinked ? { unlinkedRoleId: BigInt(unlinked.id) } : clearUnlinked ? { unlinkedRoleId: null } : {}),
  };
  const saved = Object.keys(change).length > 0 ? await services.roleAdmin.saveSettings(guildId, access, change) : (await services.roleAdmin.config(guildId)).settings;
  if (Object.keys(change).length > 0) await services.roleSync.requestGuildSync(guildId);
  return roleSettingsReply({ settings: saved, saved: Object.keys(change).length > 0, mentions });
}

async function list(services: Services, guildId: bigint, mentions: Mentions): Promise<Reply> {
  const status = await services.roleSync.status(guildId);
  const names = await services.roleAdmin.names(status.rules.flatMap((r) => (r.target.kind === 'linked' ? [] : [r.target.id])));
  return roleListReply({ status, names, mentions });
}

async function preview(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, services: Services, guildId: bigint, mentions: Mentions): Promise<Reply> {
  const user = interaction.options.getUser('user');
  const lines = await services.roleSync.previewText(guildId, user ? BigInt(user.id) : undefined);
  const displayName = user ? (memberDisplayName(interaction, 'user', user) ?? user.username) : undefined;
  return previewReply({ lines, displayName, mentions });
}

async function sync(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, services: Services, guildId: bigint, mentions: Mentions): Promise<Reply> {
  let last = 0;
  const result = await services.roleSync.reconcileGuild(guildId, async (progress) => {
    // A progress line every few seconds, once the reply is deferred.
    if (Date.now() - last < 3_000 || !(interaction.deferred || interaction.replied)) return;
    last = Date.now();
    await interaction.editReply(syncProgressReply(progress)).catch(() => undefined);
  });
  return syncDoneReply(result, mentions);
}

export default roles;
