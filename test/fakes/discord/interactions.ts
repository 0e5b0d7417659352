// Interactions end to end: the INTERACTION_CREATE payloads the fake sends
// (shaped per the measured notes; discord.js throws without e.g. entitlements),
// the callback/webhook semantics Discord applies to the bot's answers, and
// the handle tests use to read those answers.
 
import { performance } from 'node:perf_hooks';
import { commandIdFor } from './commands.ts';
import {
  alreadyAcknowledged,
  invalidFormBody,
  unknownInteraction,
  unknownMessage,
  unknownWebhook,
  emptyMessage,
  type Reply,
} from './errors.ts';
import { createMessage, editMessage, isEmptyMessage, MessageFlag, validateMessagePayload } from './messages.ts';
import { makeInteractionToken, nextSnowflake } from './snowflake.ts';
import { DEFAULT_APP_PERMISSIONS, type FakeState, type StoredMessage } from './state.ts';
import type {
  ButtonInput,
  CommandInput,
  CommandOptionInput,
  InteractionCommon,
  InteractionResponse,
  RecordedFile,
  ReplyView,
} from './types.ts';

export const InteractionType = { Ping: 1, ApplicationCommand: 2, MessageComponent: 3, Autocomplete: 4, ModalSubmit: 5 } as const;
export const CallbackType = {
  Pong: 1,
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredMessageUpdate: 6,
  UpdateMessage: 7,
  AutocompleteResult: 8,
  Modal: 9,
} as const;

/** Callback types Discord accepts per interaction type. */
const ALLOWED_CALLBACKS: Record<number, number[]> = {
  [InteractionType.ApplicationCommand]: [4, 5, 9],
  [InteractionType.MessageComponent]: [4, 5, 6, 7, 9],
  [InteractionType.Autocomplete]: [8],
  [InteractionType.ModalSubmit]: [4, 5, 6, 7],
};

/** Server-side memory of one interaction. */
export interface InteractionRecord {
  id: string;
  token: string;
  type: number;
  guildId: string | undefined;
  channelId: string;
  userId: string;
  commandName: string | undefined;
  /** the INTERACTION_CREATE `d` as dispatched */
  payload: any;
  dispatchedAt: number;
  ackType: number | undefined;
  /** message the "original" webhook refers to; null once deleted */
  original: StoredMessage | null | undefined;
  /** the message a component sits on (components only) */
  sourceMessageId: string | undefined;
  followupIds: Set<string>;
  responses: InteractionResponse[];
  /** answers the fake refused (status + Discord error), to explain timeouts */
  refused: { kind: string; status: number; body: unknown; at: number }[];
  /** over HTTP: the endpoint's answer to the POST, once it came */
  endpoint?: Promise<{ status: number; body: string; ms: number }>;
}

// ---- payloads ----

interface Context {
  guildId: string | undefined;
  channelId: string;
  base: any;
}

/** Fields shared by every interaction type: who, where, permissions, locale. */
function baseContext(state: FakeState, input: InteractionCommon): Context {
  const user = state.ensureUser(input.userId, input.username);
  const guildId = input.guildId === undefined ? state.guildIds[0] : (input.guildId ?? undefined);
  const permissions = input.permissions ?? '0';
  const common = {
    application_id: state.applicationId,
    version: 1,
    app_permissions: input.appPermissions ?? DEFAULT_APP_PERMISSIONS,
    locale: input.locale ?? 'en-US',
    entitlements: [],
    attachment_size_limit: 10 * 1024 * 1024,
  };
  if (!guildId) {
    const dm = state.dmChannelFor(user.id);
    return {
      guildId: undefined,
      channelId: dm.id,
      base: {
        ...common,
        user: state.userJson(user.id),
        channel: state.channelJson(dm.id),
        channel_id: dm.id,
        authorizing_integration_owners: {},
        context: 1,
      },
    };
  }
  const guild = state.requireGuild(guildId);
  // Discord knows whoever runs a command is a member; GET /guilds/:id/members/:user then finds them.
  state.upsertMember(guildId, user.id, input.roles, undefined);
  return {
    guildId,
    channelId: guild.channelId,
    base: {
      ...common,
      guild_id: guildId,
      guild: { id: guildId, locale: 'en-US', features: [] },
      guild_locale: 'en-US',
      channel: { ...state.channelJson(guild.channelId), permissions },
      channel_id: guild.channelId,
      member: state.memberJson(guildId, user.id, true, permissions),
      authorizing_integration_owners: { '0': guildId },
      context: 0,
    },
  };
}

/** data.resolved for user/role/channel options, as Discord fills it. */
function autoResolved(state: FakeState, options: CommandOptionInput[] | undefined, guildId: string | undefined): any {
  const resolved: any = {};
  const walk = (list: CommandOptionInput[] | undefined) => {
    for (const option of list ?? []) {
      if (option.options) walk(option.options);
      if (typeof option.value !== 'string' || option.focused) continue;
      const id = option.value;
      const role = guildId ? state.guilds.get(guildId)?.roles.find((r) => r.id === id) : undefined;
      if (option.type === 6 || (option.type === 9 && !role)) {
        (resolved.users ??= {})[id] = state.userJson(id);
        const member = guildId ? state.memberJson(guildId, id, false, '0') : undefined;
        if (member) (resolved.members ??= {})[id] = member;
      } else if (option.type === 8 || (option.type === 9 && role)) {
        const roleJson = guildId ? state.rolesJson(state.requireGuild(guildId)).find((r) => r.id === id) : undefined;
        if (roleJson) (resolved.roles ??= {})[id] = roleJson;
      } else if (option.type === 7) {
        const channel = state.channelJson(id);
        if (channel) (resolved.channels ??= {})[id] = { ...channel, permissions: '0' };
      }
    }
  };
  walk(options);
  return Object.keys(resolved).length > 0 ? resolved : undefined;
}

function newRecord(state: FakeState, type: number, context: Context, userId: string, commandName: string | undefined): InteractionRecord {
  const id = nextSnowflake();
  const record: InteractionRecord = {
    id,
    token: makeInteractionToken(id),
    type,
    guildId: context.guildId,
    channelId: context.channelId,
    userId,
    commandName,
    payload: undefined,
    dispatchedAt: 0,
    ackType: undefined,
    original: undefined,
    sourceMessageId: undefined,
    followupIds: new Set(),
    responses: [],
    refused: [],
  };
  state.interactions.set(id, record);
  state.interactionsByToken.set(record.token, record);
  return record;
}

/** Chat-input command (type 2) or autocomplete (type 4) payload. */
export function buildCommandInteraction(state: FakeState, input: CommandInput, type: 2 | 4, focused?: string): InteractionRecord {
  const context = baseContext(state, input);
  const record = newRecord(state, type, context, input.userId, input.name);
  let options = input.options ? structuredClone(input.options) : undefined;
  if (focused !== undefined) options = markFocused(options, focused);
  const command = commandIdFor(state, input.name, context.guildId);
  const resolved = input.resolved ?? autoResolved(state, options, context.guildId);
  record.payload = {
    ...context.base,
    id: record.id,
    type,
    token: record.token,
    data: {
      id: command.id,
      name: input.name,
      type: 1,
      ...(options ? { options } : {}),
      ...(command.guildId ? { guild_id: command.guildId } : {}),
      ...(resolved ? { resolved } : {}),
    },
  };
  return record;
}

/** Autocomplete: the focused option has focused:true and a string value (Discord sends what was typed). */
function markFocused(options: CommandOptionInput[] | undefined, focused: string): CommandOptionInput[] {
  let found = false;
  const visit = (list: CommandOptionInput[]): CommandOptionInput[] =>
    list.map((option) => {
      if (option.type === 1 || option.type === 2) return { ...option, options: visit(option.options ?? []) };
      if (option.name !== focused) return option;
      found = true;
      return { ...option, value: String(option.value ?? ''), focused: true };
    });
  const list = visit(options ?? []);
  if (found) return list;
  // Put it inside the innermost subcommand if there is one.
  const sub = (l: CommandOptionInput[]): CommandOptionInput[] | undefined => {
    for (const option of l) {
      if (option.type === 1) return (option.options ??= []);
      if (option.type === 2) return sub(option.options ?? []);
    }
    return undefined;
  };
  (sub(list) ?? list).push({ name: focused, type: 3, value: '', focused: true });
  return list;
}

/** Message component (type 3) payload; synthesises a bot message with the component unless messageId is given. */
export function buildComponentInteraction(state: FakeState, input: ButtonInput): InteractionRecord {
  const context = baseContext(state, input);
  const componentType = input.componentType ?? 2;
  let message: StoredMessage | undefined;
  if (input.messageId) {
    message = state.messages.get(input.messageId);
    if (!message) throw new Error(`fake discord: sendButton: unknown message ${input.messageId}`);
  } else {
    const component =
      componentType === 2
        ? { type: 2, style: 1, label: input.customId, custom_id: input.customId }
        : componentType === 3
          ? { type: 3, custom_id: input.customId, options: (input.values ?? ['x']).map((v) => ({ label: v, value: v })) }
          : { type: componentType, custom_id: input.customId };
    message = createMessage(state, { channelId: context.channelId, guildId: context.guildId }, { content: 'fake message', components: [{ type: 1, components: [component] }] }, []);
  }
  const record = newRecord(state, InteractionType.MessageComponent, context, input.userId, undefined);
  record.sourceMessageId = message.json.id;
  record.payload = {
    ...context.base,
    id: record.id,
    type: InteractionType.MessageComponent,
    token: record.token,
    message: structuredClone(message.json),
    data: {
      custom_id: input.customId,
      component_type: componentType,
      ...(input.values ? { values: input.values } : {}),
    },
  };
  return record;
}

// ---- the bot's answers ----

function refuse(state: FakeState, record: InteractionRecord, kind: string, reply: Reply): Reply {
  record.refused.push({ kind, status: reply.status, body: reply.body, at: performance.now() });
  state.signal.notify(record.id);
  return reply;
}

function accept(state: FakeState, record: InteractionRecord, response: Omit<InteractionResponse, 'at'>): void {
  record.responses.push({ ...response, at: performance.now() });
  state.signal.notify(record.id);
}

function checkAutocompleteChoices(data: any): Reply | undefined {
  const choices = data?.choices;
  if (!Array.isArray(choices)) return invalidFormBody([{ path: ['data', 'choices'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
  if (choices.length > 25) return invalidFormBody([{ path: ['data', 'choices'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' }]);
  const bad = choices.findIndex((c: any) => typeof c?.name !== 'string' || c.name.length < 1 || c.name.length > 100 || c.value === undefined);
  if (bad >= 0) return invalidFormBody([{ path: ['data', 'choices', bad, 'name'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }]);
  return undefined;
}

/** POST /interactions/:id/:token/callback */
export function interactionCallback(
  state: FakeState,
  id: string,
  token: string,
  withResponse: boolean,
  body: any,
  files: RecordedFile[],
): Reply {
  const record = state.interactions.get(id);
  if (!record || record.token !== token) return unknownInteraction();
  if (state.callbackDeadlineMs !== undefined && record.ackType === undefined && performance.now() - record.dispatchedAt > state.callbackDeadlineMs) {
    return refuse(state, record, 'callback', unknownInteraction());
  }
  if (record.ackType !== undefined) return refuse(state, record, 'callback', alreadyAcknowledged());
  const type = body?.type;
  if (!ALLOWED_CALLBACKS[record.type]?.includes(type)) {
    return refuse(state, record, 'callback', invalidFormBody([{ path: ['type'], code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: `Interaction response type ${type} is not valid for interaction type ${record.type}` }]));
  }
  const data = body?.data ?? {};
  const commandMeta = { id: record.id, type: record.type, userId: record.userId, commandName: record.commandName, original: true };
  const origin = { channelId: record.channelId, guildId: record.guildId, interaction: commandMeta };
  const source = record.sourceMessageId ? state.messages.get(record.sourceMessageId) : undefined;
  switch (type) {
    case CallbackType.ChannelMessageWithSource: {
      const problem = validateMessagePayload(data, files, true);
      if (problem) return refuse(state, record, 'callback', problem);
      const flags = (data.flags ?? 0) & (MessageFlag.Ephemeral | MessageFlag.SuppressEmbeds | MessageFlag.IsComponentsV2);
      record.original = createMessage(state, origin, data, files, flags);
      break;
    }
    case CallbackType.DeferredChannelMessageWithSource: {
      const flags = MessageFlag.Loading | ((data.flags ?? 0) & MessageFlag.Ephemeral);
      record.original = createMessage(state, origin, {}, [], flags);
      break;
    }
    case CallbackType.DeferredMessageUpdate:
      record.original = source;
      break;
    case CallbackType.UpdateMessage: {
      const problem = validateMessagePayload(data, files, false);
      if (problem) return refuse(state, record, 'callback', problem);
      if (source) editMessage(state, source, data, files);
      record.original = source;
      break;
    }
    case CallbackType.AutocompleteResult: {
      const problem = checkAutocompleteChoices(data);
      if (problem) return refuse(state, record, 'callback', problem);
      break;
    }
    case CallbackType.Modal: {
      const components = Array.isArray(data.components) ? data.components : [];
      if (typeof data.custom_id !== 'string' || typeof data.title !== 'string' || data.title.length > 45 || components.length < 1 || components.length > 5) {
        return refuse(state, record, 'callback', invalidFormBody([{ path: ['data'], code: 'MODAL_INVALID', message: 'Modal needs custom_id, a title of at most 45 characters and 1 to 5 components' }]));
      }
      break;
    }
  }
  record.ackType = type;
  accept(state, record, { kind: 'callback', type, messageId: record.original?.json.id, body: structuredClone(body), files });
  if (!withResponse) return { status: 204 };
  const message = record.original ? structuredClone(record.original.json) : undefined;
  return {
    status: 200,
    body: {
      interaction: {
        id: record.id,
        type: record.type,
        ...(message
          ? {
              response_message_id: message.id,
              response_message_loading: (message.flags & MessageFlag.Loading) !== 0,
              response_message_ephemeral: (message.flags & MessageFlag.Ephemeral) !== 0,
            }
          : {}),
      },
      resource: { type, ...(message && type !== CallbackType.DeferredMessageUpdate ? { message } : {}) },
    },
  };
}

/** The interaction behind /webhooks/:app/:token, or the error Discord gives. */
export function webhookInteraction(state: FakeState, applicationId: string, token: string): InteractionRecord | Reply {
  const record = state.interactionsByToken.get(token);
  if (!record || applicationId !== state.applicationId) return unknownWebhook();
  // The interaction webhook exists only once the interaction is acknowledged.
  if (record.ackType === undefined) return refuse(state, record, 'webhook', unknownWebhook());
  return record;
}

function webhookMessage(state: FakeState, record: InteractionRecord, messageId: string): StoredMessage | undefined {
  if (messageId === '@original' || messageId === record.original?.json.id) return record.original ?? undefined;
  return record.followupIds.has(messageId) ? state.messages.get(messageId) : undefined;
}

/** POST /webhooks/:app/:token (follow-up). */
export function interactionFollowup(state: FakeState, record: InteractionRecord, wait: boolean, body: any, files: RecordedFile[]): Reply {
  const problem = validateMessagePayload(body, files, true);
  if (problem) return refuse(state, record, 'followup', problem);
  let message: StoredMessage;
  const original = record.original;
  if (record.ackType === CallbackType.DeferredChannelMessageWithSource && original && (original.json.flags & MessageFlag.Loading) !== 0) {
    // Discord turns the first follow-up after a deferral into the edit of the "thinking…" message.
    editMessage(state, original, { ...body, flags: undefined }, files);
    message = original;
  } else {
    const flags = (body?.flags ?? 0) & (MessageFlag.Ephemeral | MessageFlag.SuppressEmbeds | MessageFlag.IsComponentsV2);
    message = createMessage(
      state,
      { channelId: record.channelId, guildId: record.guildId, interaction: { id: record.id, type: record.type, userId: record.userId, commandName: record.commandName, original: false } },
      body,
      files,
      flags,
    );
    record.followupIds.add(message.json.id);
  }
  accept(state, record, { kind: 'followup', messageId: message.json.id, body: structuredClone(body), files });
  return wait ? { status: 200, body: structuredClone(message.json) } : { status: 204 };
}

/** GET/PATCH/DELETE /webhooks/:app/:token/messages/:id ('@original' arrives as %40original, decoded by the router). */
export function interactionMessage(state: FakeState, record: InteractionRecord, method: string, messageId: string, body: any, files: RecordedFile[]): Reply {
  const message = webhookMessage(state, record, messageId);
  if (!message) return method === 'GET' ? unknownMessage() : refuse(state, record, method === 'DELETE' ? 'delete' : 'edit', unknownMessage());
  if (method === 'GET') return { status: 200, body: structuredClone(message.json) };
  if (method === 'DELETE') {
    state.messages.delete(message.json.id);
    if (record.original === message) record.original = null;
    record.followupIds.delete(message.json.id);
    accept(state, record, { kind: 'delete', messageId: message.json.id, body: undefined, files: [] });
    return { status: 204 };
  }
  const problem = validateMessagePayload(body, files, false);
  if (problem) return refuse(state, record, 'edit', problem);
  const draft = structuredClone(message);
  editMessage(state, draft, body, files);
  if (isEmptyMessage(draft.json)) return refuse(state, record, 'edit', emptyMessage());
  message.json = draft.json;
  message.files = draft.files;
  accept(state, record, { kind: 'edit', messageId: message.json.id, body: structuredClone(body), files });
  return { status: 200, body: structuredClone(message.json) };
}

// ---- what tests hold ----

const isFinal = (r: InteractionResponse) =>
  r.kind === 'edit' || r.kind === 'followup' || (r.kind === 'callback' && [4, 7, 8, 9].includes(r.type ?? 0));

function describeResponses(record: InteractionRecord): string {
  const answers = record.responses.map((r) => `${r.kind}${r.type ? ` type ${r.type}` : ''}`).join(', ') || 'none';
  const refused = record.refused.map((r) => `${r.kind} -> ${r.status} ${JSON.stringify(r.body)}`).join('; ');
  return `responses so far: ${answers}${refused ? `; refused: ${refused}` : ''}`;
}

function describeReply(reply: ReplyView | null | undefined): string {
  if (reply === undefined) return 'no reply yet';
  if (reply === null) return 'reply deleted';
  return JSON.stringify({ content: reply.content, loading: reply.loading, embeds: reply.embeds.length, files: reply.files.map((f) => f.name) });
}

export class InteractionHandle {
  constructor(
    private readonly state: FakeState,
    private readonly record: InteractionRecord,
  ) {}

  get id(): string {
    return this.record.id;
  }
  get token(): string {
    return this.record.token;
  }
  /** performance.now() when INTERACTION_CREATE was sent */
  get dispatchedAt(): number {
    return this.record.dispatchedAt;
  }
  /** the INTERACTION_CREATE `d` as dispatched */
  get payload(): any {
    return this.record.payload;
  }
  get responses(): readonly InteractionResponse[] {
    return this.record.responses;
  }
  /** answers the fake refused (e.g. 40060 double ack, 50035 invalid body) */
  get refused(): readonly { kind: string; status: number; body: unknown; at: number }[] {
    return this.record.refused;
  }
  /** over HTTP: how the bot's endpoint answered Discord's POST (undefined over the gateway) */
  get endpointAnswer(): Promise<{ status: number; body: string; ms: number }> | undefined {
    return this.record.endpoint;
  }
  /** performance.now() of the accepted callback (first acknowledgement) */
  get firstResponseAt(): number | undefined {
    return this.record.responses.find((r) => r.kind === 'callback')?.at;
  }

  waitForResponse(predicate: (r: InteractionResponse) => boolean = isFinal, timeoutMs = 10_000): Promise<InteractionResponse> {
    return this.state.signal.waitFor(
      () => this.record.responses.find(predicate),
      timeoutMs,
      () => `a response to interaction ${this.record.commandName ?? this.record.type} (${describeResponses(this.record)})`,
      this.record.id,
    );
  }

  /** The original reply as the user sees it; undefined before any, null once deleted. */
  currentReply(): ReplyView | null | undefined {
    const original = this.record.original;
    if (original === undefined || original === null) return original;
    const json = original.json;
    return {
      id: json.id,
      content: json.content,
      embeds: structuredClone(json.embeds),
      components: structuredClone(json.components),
      flags: json.flags,
      loading: (json.flags & MessageFlag.Loading) !== 0,
      ephemeral: (json.flags & MessageFlag.Ephemeral) !== 0,
      attachments: structuredClone(json.attachments),
      files: [...original.files],
    };
  }

  /** Wait until the original reply satisfies `predicate` (default: exists and is no longer "thinking…"). */
  waitForReply(predicate: (reply: ReplyView) => boolean = (r) => !r.loading, timeoutMs = 10_000): Promise<ReplyView> {
    return this.state.signal.waitFor(
      () => {
        const reply = this.currentReply();
        return reply && predicate(reply) ? reply : undefined;
      },
      timeoutMs,
      () => `the reply to interaction ${this.record.commandName ?? this.record.type} (current: ${describeReply(this.currentReply())}; ${describeResponses(this.record)})`,
      this.record.id,
    );
  }
}

