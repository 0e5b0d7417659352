import type { Prisma } from '../db/client.ts';

/**
 * After a user lost a character (unlink, moved, changed hands): if that was
 * their main, the next of their characters by name becomes the main.
 */
export async function ensureMain(tx: Prisma.TransactionClient, discordUserId: bigint): Promise<void> {
  const user = await tx.discordUser.findUnique({ where: { id: discordUserId }, select: { mainCharacterId: true } });
  if (!user || user.mainCharacterId !== null) return;
  const next = await tx.character.findFirst({ where: { discordUserId }, orderBy: { name: 'asc' }, select: { id: true } });
  if (next) await tx.discordUser.update({ where: { id: discordUserId }, data: { mainCharacterId: next.id } });
}
