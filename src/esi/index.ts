/** The ESI client: the bot's only way to EVE's API. No discord.js here. */
export {
  EsiClient,
  ESI_COMPATIBILITY_DATE,
  type EsiAuth,
  type EsiBudget,
  type EsiClientOptions,
  type EsiLimitsSnapshot,
  type EsiRequest,
  type EsiResult,
} from './client.ts';
export {
  TransportError,
  UndiciTransport,
  type EsiTransport,
  type TransportFailure,
  type TransportRequest,
  type TransportResponse,
  type UndiciTransportOptions,
} from './transport.ts';
export {
  EsiBusyError,
  EsiError,
  EsiForbiddenError,
  EsiMalformedResponseError,
  EsiNotFoundError,
  EsiRequestError,
  EsiUnavailableError,
  type EsiBusyReason,
  type EsiRouteInfo,
  type EsiUnavailableReason,
} from './errors.ts';
export { EsiDirectory } from './directory.ts';
export { NameResolver, type NameResolverOptions, type ResolvedName } from './names.ts';
export { ESI_ROUTES, type EsiRouteKey, type EsiRouteSpec } from './schemas.ts';
export type { CharacterAuth, EsiCallOptions } from './routes/common.ts';
export {
  AFFILIATION_BATCH,
  character,
  characterAffiliations,
  characterRoles,
  type Affiliation,
  type CharacterInfo,
  type CharacterRoles,
} from './routes/characters.ts';
export { walletBalance, walletJournal, type JournalEntry, type JournalPage } from './routes/wallet.ts';
export { skillQueue, skills, type QueuedSkill, type Skill, type Skills } from './routes/skills.ts';
export { alliance, corporation, corporationMembers, type AllianceInfo, type CorporationInfo } from './routes/corporations.ts';
export { IDS_BATCH, NAMES_BATCH, universeIds, universeNames, type IdMatch, type UniverseIds } from './routes/universe.ts';
