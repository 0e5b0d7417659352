import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { Command, Reply } from '../src/bot/command.ts';
import type { AuditRequester } from '../src/audit/access.ts';
import type { AuditService, AuthorizedAudit, ListedMember } from '../src/audit/auditService.ts';
import { AuditMemberNotInGuildError, AuditOutsideGuildError } from '../src/audit/errors.ts';
import { UserFacingError } from '../src/errors.ts';
import { eventsReply, memberReply, settingsReply, summaryReply, type Mentions } from './_auditFormat.ts';
import { memberDisplayName } from './_displayName.ts';
import { guildMemberList } from './_memberList.ts';
import type { Services } from '../src/services.ts';

const EVENTS_SHOWN = 25;

const audit: Command = {
  data: new SlashCommandBuilder()
    .setName('audit')
    .setDescription('Corporation audit: who linked, whose login died, who never linked')
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((s) => s.setName('summary').setDescription('Dead logins, pilots who left, members who never linked, counts; every pilot in a CSV'))
    .addSubcommand((s) =>
      s
        .setName('member')
        .setDescription("One member's pilots, logins and recent events")
        .addUserOption((o) => o.setName('user').setDescription('A member of this server').setRequired(true)),
    )
    .addSubcommand((s) => s.setName('events').setDescription('Latest links, unlinks, moves, dead logins and ownership changes'))
    .addSubcommand((s) =>
      s
        .setName('settings')
        .setDescription('Show or change the audit admin role and the tracked corporations')
        .addRoleOption((o) => o.setName('admin_role').setDescription('Members with this role may use /audit too'))
        .addStringOption((o) =>
          o.setName('corporations').setDescription('Corporation ids or names, comma separated; "none" tracks none').setMaxLength(1000),
        )
        .addBooleanOption((o) => o.setName('remove_admin_role').setDescription('Only members with Manage Server may use /audit')),
    ),
  ephemeral: true,
  help: 'For admins (Manage Server or the audit admin role): `summary` (with a CSV), `member user:`, `events`, `settings`.',
  async execute(interaction, { services, mentions }) {
    if (!interaction.inGuild()) throw new AuditOutsideGuildError();
    const guildId = BigInt(interaction.guildId);
    // Before anything else: someone without access gets the refusal and no data.
    const access = await services.audit.authorize(guildId, requesterOf(interaction));
    switch (interaction.options.getSubcommand()) {
      case 'member':
        return member(interaction, services.audit, access, mentions);
      case 'events':
        return events(interaction, services, access, mentions);
      case 'settings':
        return settings(interaction, services, access, mentions);
      default:
        return summary(interaction, services, access, mentions);
    }
  },
};

/** What Discord says about the member, as plain facts for the service's access check. */
function requesterOf(interaction: ChatInputCommandInteraction<'raw' | 'cached'>): AuditRequester {
  const roles = interaction.member.roles;
  const roleIds = Array.isArray(roles) ? roles : [...roles.cache.keys()];
  return {
    discordUserId: BigInt(interaction.user.id),
    // Administrator counts too (has() checks it).
    canManageGuild: interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild),
    roleIds: roleIds.map(BigInt),
  };
}

/** With the Guild Members intent: every member (bots left out) from Discord; without it: undefined (the service uses who it has seen). */
async function listedMembers(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, services: Services): Promise<ListedMember[] | undefined> {
  if (!services.audit.listsGuildMembers) return undefined;
  const members = await guildMemberList(services, BigInt(interaction.guildId));
  return members.filter((m) => !m.bot).map((m) => ({ discordUserId: m.userId, name: m.username }));
}

async function summary(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, services: Services, access: AuthorizedAudit, mentions: Mentions): Promise<Reply> {
  const [report, guild] = await Promise.all([
    listedMembers(interaction, services).then((members) => services.audit.report(access, members)),
    // Only for the title and the CSV's name (without it they use the guild's id): the gateway's cache has it; over HTTP, Discord's REST.
    interaction.guild ? { name: interaction.guild.name } : services.guilds.guild(BigInt(interaction.guildId)).catch(() => undefined),
  ]);
  return summaryReply({ report, guildName: guild?.name ?? null, mentions });
}

async function member(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, service: AuditService, access: AuthorizedAudit, mentions: Mentions): Promise<Reply> {
  const user = interaction.options.getUser('user', true);
  // Discord resolves the member only when the user is in this guild: nobody else is shown.
  const displayName = memberDisplayName(interaction, 'user', user);
  if (displayName === undefined) throw new AuditMemberNotInGuildError();
  const found = await service.member(access, { discordUserId: BigInt(user.id), name: user.username });
  return memberReply({ ...found, displayName, mentions });
}

async function events(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, services: Services, access: AuthorizedAudit, mentions: Mentions): Promise<Reply> {
  const found = await services.audit.events(access, await listedMembers(interaction, services), EVENTS_SHOWN);
  return eventsReply({ ...found, mentions });
}

async function settings(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, services: Services, access: AuthorizedAudit, mentions: Mentions): Promise<Reply> {
  const service = services.audit;
  const role = interaction.options.getRole('admin_role');
  const corporations = interaction.options.getString('corporations');
  const removeRole = interaction.options.getBoolean('remove_admin_role') ?? false;
  if (role && removeRole) throw new UserFacingError('Choose either `admin_role:` or `remove_admin_role:`, not both.');
  const listsMembers = service.listsGuildMembers;

  if (!role && !removeRole && corporations === null) {
    return settingsReply({ settings: access.settings, names: await service.trackedNames(access), saved: false, listsMembers, mentions });
  }
  const saved = await service.updateSettings(
    access,
    {
      ...(role ? { adminRoleId: BigInt(role.id) } : removeRole ? { adminRoleId: null } : {}),
      ...(corporations !== null ? { corporations } : {}),
    },
    // Which corporations this server may track depends on who its members are.
    corporations !== null ? await listedMembers(interaction, services) : undefined,
  );
  return settingsReply({ ...saved, saved: true, listsMembers, mentions });
}

export default audit;
