import {
  AttachmentBuilder,
  EmbedBuilder,
  InteractionContextType,
  PermissionFlagsBits,
  roleMention,
  SlashCommandBuilder,
  userMention,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { Command, Reply } from '../src/bot/command.ts';
import type { AuditRequester } from '../src/audit/access.ts';
import type { AuditService, AuthorizedAudit, ListedMember } from '../src/audit/auditService.ts';
import { AuditMemberNotInGuildError, AuditOutsideGuildError } from '../src/audit/errors.ts';
import { auditCsv } from '../src/audit/exportCsv.ts';
import { UserFacingError } from '../src/errors.ts';
import { escapeMarkdown } from '../src/text.ts';
import { characterLines, entityName, eventLine, summaryDescription, summaryFields } from './_auditFormat.ts';
import { DISCORD_LIMITS, fitFields, fitLines } from '../src/bot/replyLimits.ts';

const EVENTS_SHOWN = 25;
/** Discord sends a big guild's members in chunks; past this, give up and say so. */
const MEMBER_LIST_TIMEOUT_MS = 20_000;

const audit: Command = {
  data: new SlashCommandBuilder()
    .setName('audit')
    .setDescription('Corporation audit: who linked, whose login died, who never linked')
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((s) => s.setName('summary').setDescription('Counts, dead logins, members who never linked; every character in a CSV'))
    .addSubcommand((s) =>
      s
        .setName('member')
        .setDescription("One member's characters, logins and recent events")
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
  async execute(interaction, { services }) {
    if (!interaction.inGuild()) throw new AuditOutsideGuildError();
    const guildId = BigInt(interaction.guildId);
    // Before anything else: someone without access gets the refusal and no data.
    const access = await services.audit.authorize(guildId, requesterOf(interaction));
    switch (interaction.options.getSubcommand()) {
      case 'member':
        return member(interaction, services.audit, access);
      case 'events':
        return events(interaction, services.audit, access);
      case 'settings':
        return settings(interaction, services.audit, access);
      default:
        return summary(interaction, services.audit, access);
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
async function listedMembers(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, service: AuditService): Promise<ListedMember[] | undefined> {
  if (!service.listsGuildMembers) return undefined;
  try {
    const guild = interaction.guild ?? (await interaction.client.guilds.fetch(interaction.guildId));
    const members = await guild.members.fetch({ time: MEMBER_LIST_TIMEOUT_MS });
    return [...members.values()].filter((m) => !m.user.bot).map((m) => ({ discordUserId: BigInt(m.id), name: m.user.username }));
  } catch (error) {
    throw new UserFacingError('Discord did not send the member list of this server in time. Please try again in a minute.', { cause: error });
  }
}

async function summary(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, service: AuditService, access: AuthorizedAudit): Promise<Reply> {
  const report = await service.report(access, await listedMembers(interaction, service));
  const title = `Audit of ${interaction.guild?.name ?? 'this server'}`.slice(0, DISCORD_LIMITS.title);
  const description = summaryDescription(report);
  const footer = 'Every character, and every member who never linked, is in the attached CSV.';
  const fields = fitFields(summaryFields(report), title.length + description.length + footer.length, (n) => ({
    name: 'More',
    value: `${n} more section${n === 1 ? '' : 's'} did not fit: see the CSV.`,
  }));
  const embed = new EmbedBuilder().setTitle(title).setDescription(description).addFields(fields).setFooter({ text: footer }).setTimestamp(report.generatedAt);
  const csv = new AttachmentBuilder(Buffer.from(auditCsv(report), 'utf8'), {
    name: `audit-${access.guildId}-${report.generatedAt.toISOString().slice(0, 10)}.csv`,
  });
  return { embeds: [embed], files: [csv] };
}

async function member(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, service: AuditService, access: AuthorizedAudit): Promise<Reply> {
  const user = interaction.options.getUser('user', true);
  // Discord resolves the member only when the user is in this guild: nobody else is shown.
  if (!interaction.options.getMember('user')) throw new AuditMemberNotInGuildError();
  const found = await service.member(access, { discordUserId: BigInt(user.id), name: user.username });
  const { characters } = found.member;
  const description =
    characters.length === 0
      ? `${userMention(user.id)} has no linked character.`
      : fitLines(
          characters.map((c) => characterLines(c, found.names)),
          DISCORD_LIMITS.description,
          (n) => `… and ${n} more characters (see /audit summary's CSV)`,
          '\n\n',
        );
  const embed = new EmbedBuilder()
    .setTitle(`Audit of ${user.username}`.slice(0, DISCORD_LIMITS.title))
    .setDescription(description + (found.affiliationsLive ? '' : "\n\n⚠️ EVE's API did not answer: corporations are as last stored."));
  const main = characters.find((c) => c.isMain);
  const corporations = [...new Set(characters.map((c) => c.corporationId))].map((id) => entityName(found.names, id, 'corporation'));
  const fields = [
    { name: 'Main', value: main ? escapeMarkdown(main.name) : 'none' },
    { name: 'Corporations', value: corporations.join(', ') || 'none' },
    { name: 'Recent events', value: fitLines(found.events.map((e) => eventLine(e, found.names)), DISCORD_LIMITS.fieldValue, (n) => `… and ${n} more`) || 'none' },
  ];
  embed.addFields(fitFields(fields, embed.data.title!.length + embed.data.description!.length, () => ({ name: 'More', value: 'Some details did not fit.' })));
  return { embeds: [embed] };
}

async function events(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, service: AuditService, access: AuthorizedAudit): Promise<Reply> {
  const found = await service.events(access, await listedMembers(interaction, service), EVENTS_SHOWN);
  const embed = new EmbedBuilder()
    .setTitle('Audit trail: latest events')
    .setDescription(
      found.events.length === 0
        ? 'Nothing yet.'
        : fitLines(
            found.events.map((e) => eventLine(e, found.names)),
            DISCORD_LIMITS.description,
            (n) => `… and ${n} more`,
          ),
    );
  return { embeds: [embed] };
}

async function settings(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, service: AuditService, access: AuthorizedAudit): Promise<Reply> {
  const role = interaction.options.getRole('admin_role');
  const corporations = interaction.options.getString('corporations');
  const removeRole = interaction.options.getBoolean('remove_admin_role') ?? false;
  if (role && removeRole) throw new UserFacingError('Choose either `admin_role:` or `remove_admin_role:`, not both.');

  if (!role && !removeRole && corporations === null) {
    return { content: describeSettings(access.settings, await service.trackedNames(access)) };
  }
  const saved = await service.updateSettings(
    access,
    {
      ...(role ? { adminRoleId: BigInt(role.id) } : removeRole ? { adminRoleId: null } : {}),
      ...(corporations !== null ? { corporations } : {}),
    },
    // Which corporations this server may track depends on who its members are.
    corporations !== null ? await listedMembers(interaction, service) : undefined,
  );
  return { content: `Saved.\n${describeSettings(saved.settings, saved.names)}`, allowedMentions: { parse: [] } };
}

function describeSettings(settings: AuthorizedAudit['settings'], names: Map<bigint, string>): string {
  const role = settings.adminRoleId === null ? 'none (only members with Manage Server)' : roleMention(String(settings.adminRoleId));
  const corporations =
    settings.trackedCorporationIds.length === 0
      ? 'none'
      : settings.trackedCorporationIds.map((id) => `${entityName(names, id, 'corporation')} (${id})`).join(', ');
  return `**Audit admin role:** ${role}\n**Tracked corporations:** ${corporations}`;
}

export default audit;
