/**
 * What role and nickname sync decides from. Plain data: the Discord and
 * database edges translate into these, so the decisions stay testable
 * without either.
 */

/** What a rule asks of a member's characters. */
export type RuleTarget =
  | { kind: 'corporation'; id: bigint }
  | { kind: 'alliance'; id: bigint }
  /** At least one linked character whose login still counts. */
  | { kind: 'linked' };

/** One rule: a member whose characters meet `target` gets `roleId`. */
export interface RoleRule {
  roleId: bigint;
  target: RuleTarget;
  /** Which characters are looked at: the main only, or any linked one. Ignored for `linked`. */
  through: 'main' | 'any';
}

export interface RoleSyncSettings {
  /** How long a dead login keeps counting, so a member is not stripped for an expired token they fix the same day. */
  graceHours: number;
  /** Given to members with no linked character at all; null: none. */
  unlinkedRoleId: bigint | null;
  /** Null: nicknames are left alone. */
  nicknameTemplate: string | null;
  /** Members holding this role keep their nickname. */
  nicknameExemptRoleId: bigint | null;
}

export interface GuildRole {
  id: bigint;
  name: string;
  /** Higher is more powerful; the bot can only touch roles below its own highest. */
  position: number;
  /** Integration roles (bots, boosters): nobody can assign them. */
  managed: boolean;
}

export interface GuildFacts {
  roles: readonly GuildRole[];
  /** The @everyone role; its id is the guild's id. */
  everyoneId: bigint;
  botHighestPosition: number;
  botCanManageRoles: boolean;
  botCanManageNicknames: boolean;
}

export interface GuildMemberFacts {
  userId: bigint;
  /** The member's current Discord roles (never @everyone). */
  roleIds: readonly bigint[];
  nick: string | null;
  username: string;
  isOwner: boolean;
}

/** `missing_scopes` logins are alive: the character is still who the member says. */
export type LoginState = 'ok' | 'dead' | 'missing_scopes';

export interface LinkedCharacter {
  id: bigint;
  name: string;
  isMain: boolean;
  corporationId: bigint | null;
  allianceId: bigint | null;
  corporationTicker: string | null;
  allianceTicker: string | null;
  login: LoginState;
  /** When the login died; null while alive. */
  deadSince: Date | null;
}

/** Corporation and alliance names by id, when the caller knows them: reasons read better with them. */
export type EntityNames = ReadonlyMap<bigint, string>;
