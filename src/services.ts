import type { AuditService } from './audit/auditService.ts';
import type { Database } from './db/client.ts';
import type { EsiBudget, EsiCallOptions, UniverseIds } from './esi/index.ts';
import type { CharacterService } from './links/characterService.ts';
import type { LinkService } from './links/linkService.ts';
import type { DiscordGuilds } from './roles/discordGuilds.ts';
import type { RoleAdmin } from './roles/roleAdmin.ts';
import type { RoleSync } from './roles/roleSync.ts';
import type { Logger } from './log.ts';
import type { SkillsService } from './skills/skillsService.ts';
import type { TokenService } from './tokens/tokenService.ts';
import type { WalletService } from './wallet/walletService.ts';

/**
 * Public facts about corporations and alliances, for display and for what
 * officers type (`options.errorScope`: the guild's own ESI error allowance).
 */
export interface EveDirectory {
  corporation(id: bigint, budget?: EsiBudget, options?: EsiCallOptions): Promise<{ name: string; ticker: string } | undefined>;
  alliance(id: bigint, budget?: EsiBudget, options?: EsiCallOptions): Promise<{ name: string; ticker: string } | undefined>;
  /** corporations and alliances by exact name (case-insensitive), EVE's spelling; one ESI request */
  idsByName(names: readonly string[], budget?: EsiBudget, options?: EsiCallOptions): Promise<UniverseIds>;
}

/**
 * What command handlers may call. Built once by the composition root
 * (src/app.ts); plain TypeScript, no discord.js.
 */
export interface Services {
  readonly database: Database;
  readonly logger: Logger;
  readonly links: LinkService;
  readonly characters: CharacterService;
  readonly directory: EveDirectory;
  /** every command that needs ESI gets its access token here */
  readonly tokens: TokenService;
  readonly wallet: WalletService;
  readonly skills: SkillsService;
  readonly audit: AuditService;
  /** /roles: rules and settings */
  readonly roleAdmin: RoleAdmin;
  /** applies the rules to members */
  readonly roleSync: RoleSync;
  /** what Discord says of a guild and its members, over REST: the same whether interactions come over the gateway or HTTP */
  readonly guilds: DiscordGuilds;
}
