import { UserFacingError } from '../src/errors.ts';
import { listAllMembers, type MemberSnapshot } from '../src/roles/discordGuilds.ts';
import type { Services } from '../src/services.ts';
import { withTimeout } from '../src/util/withTimeout.ts';

/** A big guild's member list takes a page per 1,000 members; past this, give up and say so. */
const MEMBER_LIST_TIMEOUT_MS = 20_000;

/**
 * Every member of the guild from Discord (with the Guild Members intent),
 * over REST: it works the same whether the command came over the gateway
 * or over HTTP, and in any process.
 */
export async function guildMemberList(services: Services, guildId: bigint): Promise<MemberSnapshot[]> {
  try {
    // The deadline also stops the paging itself, not only the wait for it.
    return await withTimeout(listAllMembers(services.guilds, guildId, { deadline: Date.now() + MEMBER_LIST_TIMEOUT_MS }), MEMBER_LIST_TIMEOUT_MS);
  } catch (error) {
    throw new UserFacingError('Discord did not send the member list of this server in time. Please try again in a minute.', { cause: error });
  }
}
