/** Character skill routes. */
import type { EsiBudget, EsiClient } from '../client.ts';
import { toBigId } from '../ids.ts';
import { ESI_ROUTES, routePath } from '../schemas.ts';
import { callOptions, optional, withScope, type CharacterAuth, type EsiCallOptions } from './common.ts';

export interface Skill {
  /** the skill's type id */
  skillId: bigint;
  /** what the character can use now (alpha clones and expert systems make it differ from trained); absent when ESI left it out */
  activeLevel?: number;
  trainedLevel: number;
  /** absent when ESI left it out */
  skillpoints?: number;
}

export interface Skills {
  skills: Skill[];
  totalSp: number;
  unallocatedSp: number;
}

/** GET /characters/{character_id}/skills (esi-skills.read_skills.v1) */
export async function skills(client: EsiClient, auth: CharacterAuth, budget?: EsiBudget, options?: EsiCallOptions): Promise<Skills> {
  const route = ESI_ROUTES.skills;
  const { data } = await client.request(
    {
      method: route.method,
      path: routePath(route.path, { character_id: auth.characterId }),
      schema: route.schema,
      auth: withScope(auth, route.scope),
      ...callOptions(options),
    },
    budget,
  );
  return {
    skills: data.skills.map((s) => ({
      skillId: toBigId(s.skill_id),
      ...optional('activeLevel', s.active_skill_level),
      trainedLevel: s.trained_skill_level,
      ...optional('skillpoints', s.skillpoints_in_skill),
    })),
    totalSp: data.total_sp,
    unallocatedSp: data.unallocated_sp ?? 0,
  };
}

export interface QueuedSkill {
  skillId: bigint;
  /** the level being trained to */
  finishedLevel: number;
  queuePosition: number;
  /** absent when the queue is paused */
  startDate?: Date;
  finishDate?: Date;
  levelStartSp?: number;
  levelEndSp?: number;
  trainingStartSp?: number;
}

/**
 * GET /characters/{character_id}/skillqueue (esi-skills.read_skillqueue.v1), in
 * queue order. Entries whose finish date has passed are trained, even when
 * /skills does not show it yet.
 */
export async function skillQueue(client: EsiClient, auth: CharacterAuth, budget?: EsiBudget, options?: EsiCallOptions): Promise<QueuedSkill[]> {
  const route = ESI_ROUTES.skillqueue;
  const { data } = await client.request(
    {
      method: route.method,
      path: routePath(route.path, { character_id: auth.characterId }),
      schema: route.schema,
      auth: withScope(auth, route.scope),
      ...callOptions(options),
    },
    budget,
  );
  return [...data]
    .sort((a, b) => a.queue_position - b.queue_position)
    .map((q) => ({
      skillId: toBigId(q.skill_id),
      finishedLevel: q.finished_level,
      queuePosition: q.queue_position,
      ...optional('startDate', q.start_date === undefined ? undefined : new Date(q.start_date)),
      ...optional('finishDate', q.finish_date === undefined ? undefined : new Date(q.finish_date)),
      ...optional('levelStartSp', q.level_start_sp),
      ...optional('levelEndSp', q.level_end_sp),
      ...optional('trainingStartSp', q.training_start_sp),
    }));
}
