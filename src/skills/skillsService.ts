import type { Budget } from '../budget.ts';
import type { Database } from '../db/client.ts';
import { UserFacingError } from '../errors.ts';
import { skillQueue, skills, type EsiClient, type NameResolver, type QueuedSkill } from '../esi/index.ts';
import type { TokenService } from '../tokens/tokenService.ts';

export const SKILLS_SCOPE = 'esi-skills.read_skills.v1';
export const SKILLQUEUE_SCOPE = 'esi-skills.read_skillqueue.v1';

export interface QueueEntry {
  skillId: bigint;
  /** the skill's name, or undefined when ESI does not know the id */
  skillName: string | undefined;
  level: number;
  finishesAt: Date | undefined;
}

export interface SkillsSummary {
  characterId: bigint;
  name: string;
  totalSp: number;
  unallocatedSp: number;
  /** the skill in training now, if the queue runs */
  training: QueueEntry | undefined;
  /** entries still to finish, including the one in training */
  queued: number;
  queueEndsAt: Date | undefined;
  /** the next entries after the one in training */
  next: QueueEntry[];
  /** queue entries that finished since ESI last updated /skills: counted as trained */
  finishedSinceUpdate: number;
  /** nothing is queued: since when (the last queued skill finished, as ESI lists it or as last seen); undefined when unknown */
  queueEmptySince: Date | undefined;
}

export class NoMainCharacterError extends UserFacingError {
  constructor() {
    super('You have no linked character yet. Use /link to link one.');
  }
}

/** Skill points and queue of one character, in plain numbers and names. */
export class SkillsService {
  constructor(private readonly options: { database: Database; tokens: TokenService; esi: EsiClient; names: NameResolver }) {}

  /** The user's main character, for commands whose option is left out. */
  async mainCharacter(discordUserId: bigint): Promise<{ id: bigint; name: string }> {
    const user = await this.options.database.discordUser.findUnique({
      where: { id: discordUserId },
      select: { mainCharacter: { select: { id: true, name: true } } },
    });
    if (!user?.mainCharacter) throw new NoMainCharacterError();
    return user.mainCharacter;
  }

  async summary(character: { id: bigint; name: string }, budget: Budget, nextCount = 5, now = new Date()): Promise<SkillsSummary> {
    const accessToken = await this.options.tokens.accessToken(character.id, [SKILLS_SCOPE, SKILLQUEUE_SCOPE], budget);
    const auth = { characterId: character.id, accessToken };
    const [trained, queue] = await Promise.all([skills(this.options.esi, auth, budget), skillQueue(this.options.esi, auth, budget)]);

    // /skills may lag the queue: what finished already is trained, and its points count,
    // unless /skills shows that level already.
    const trainedLevel = new Map(trained.skills.map((s) => [s.skillId, s.trainedLevel]));
    const finished = queue.filter((q) => q.finishDate && q.finishDate <= now);
    const pending = queue.filter((q) => !q.finishDate || q.finishDate > now);
    const finishedSp = finished
      .filter((q) => (trainedLevel.get(q.skillId) ?? 0) < q.finishedLevel)
      .reduce((sum, q) => sum + Math.max(0, (q.levelEndSp ?? 0) - (q.trainingStartSp ?? q.levelStartSp ?? q.levelEndSp ?? 0)), 0);
    const running = pending[0]?.startDate && pending[0].finishDate ? pending[0] : undefined;

    const upcoming = pending.slice(running ? 1 : 0, (running ? 1 : 0) + nextCount);
    const shown = running ? [running, ...upcoming] : upcoming;
    const names = await this.options.names.resolve(shown.map((q) => q.skillId), budget).catch(() => new Map());
    const entry = (q: QueuedSkill): QueueEntry => ({ skillId: q.skillId, skillName: names.get(q.skillId)?.name, level: q.finishedLevel, finishesAt: q.finishDate });

    // The queue's end as ESI lists it is kept: once the queue has run out and ESI no longer lists it, it says since when.
    const listedEnd = lastFinish(queue);
    if (listedEnd) await this.#rememberQueueEnd(character.id, listedEnd);
    const queueEmptySince = pending.length === 0 ? (listedEnd ?? (await this.#lastSeenQueueEnd(character.id, now))) : undefined;
    return {
      characterId: character.id,
      name: character.name,
      totalSp: trained.totalSp + finishedSp,
      unallocatedSp: trained.unallocatedSp,
      training: running && entry(running),
      queued: pending.length,
      queueEndsAt: pending.at(-1)?.finishDate,
      next: upcoming.map(entry),
      finishedSinceUpdate: finished.length,
      queueEmptySince,
    };
  }

  /**
   * Since when a queue ESI lists empty is empty: its end as last seen here
   * (ESI drops finished entries after a while). Undefined when unknown, or
   * when the queue seen last was to end later (it was emptied early: when,
   * nobody knows).
   */
  async #lastSeenQueueEnd(characterId: bigint, now: Date): Promise<Date | undefined> {
    const { database } = this.options;
    const seen = await database.character.findUnique({ where: { id: characterId }, select: { skillQueueEndsAt: true } });
    const end = seen?.skillQueueEndsAt ?? undefined;
    if (end && end > now) {
      // Emptied before it would have ended: since when is unknown, and stays so once that date has passed.
      await database.character.updateMany({ where: { id: characterId, skillQueueEndsAt: end }, data: { skillQueueEndsAt: null } });
      return undefined;
    }
    return end;
  }

  /** The queue's end as seen now, kept for a later "empty since" (written only when it changed). */
  async #rememberQueueEnd(characterId: bigint, end: Date): Promise<void> {
    await this.options.database.character.updateMany({
      where: { id: characterId, OR: [{ skillQueueEndsAt: null }, { skillQueueEndsAt: { not: end } }] },
      data: { skillQueueEndsAt: end },
    });
  }
}

function lastFinish(entries: readonly QueuedSkill[]): Date | undefined {
  let last: Date | undefined;
  for (const q of entries) if (q.finishDate && (!last || q.finishDate > last)) last = q.finishDate;
  return last;
}
