// Message objects as Discord returns them, and the limits Discord enforces on
// message payloads. Returning complete messages matters: discord.js builds a
// Message from every follow-up/edit answer and throws on missing arrays.
 
import { emptyMessage, invalidFormBody, type FieldProblem, type Reply } from './errors.ts';
import { nextSnowflake } from './snowflake.ts';
import type { FakeState, StoredMessage } from './state.ts';
import type { RecordedFile } from './types.ts';

export const MessageFlag = {
  SuppressEmbeds: 1 << 2,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  IsComponentsV2: 1 << 15,
} as const;

/** Discord's default upload limit for bots (attachment_size_limit in interactions). */
export const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

export interface MessageOrigin {
  channelId: string;
  guildId?: string | undefined;
  /** interaction responses: webhook_id = application id, type 20, interaction_metadata */
  interaction?: { id: string; type: number; userId: string; commandName?: string | undefined; original: boolean };
}

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
};

/** Discord infers the type from the file name (discord.js uploads most files as octet-stream). */
function inferContentType(file: RecordedFile): string {
  const ext = file.name.split('.').pop()?.toLowerCase() ?? '';
  return CONTENT_TYPES[ext] ?? file.contentType;
}

function attachmentJson(state: FakeState, channelId: string, file: RecordedFile, meta: any, ephemeral: boolean): any {
  const id = nextSnowflake();
  const filename = typeof meta?.filename === 'string' ? meta.filename : file.name;
  const url = `${state.baseUrl}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
  return {
    id,
    filename,
    size: file.data.length,
    url,
    proxy_url: url,
    content_type: inferContentType(file),
    ...(typeof meta?.description === 'string' ? { description: meta.description } : {}),
    ...(ephemeral ? { ephemeral: true } : {}),
  };
}

/** Map uploads (files[n]) to the payload's attachments entry {id: n}. */
function uploadMeta(body: any, index: number): any {
  const list: any[] = Array.isArray(body?.attachments) ? body.attachments : [];
  return list.find((a) => String(a?.id) === String(index));
}

function normaliseEmbeds(embeds: unknown): any[] {
  if (!Array.isArray(embeds)) return [];
  return embeds.map((embed: any) => ({ type: 'rich', ...embed, fields: embed?.fields ?? [] }));
}

export function createMessage(state: FakeState, origin: MessageOrigin, body: any, files: RecordedFile[], flags?: number): StoredMessage {
  const id = nextSnowflake();
  const messageFlags = flags ?? (typeof body?.flags === 'number' ? body.flags : 0);
  const ephemeral = (messageFlags & MessageFlag.Ephemeral) !== 0;
  const attachmentFiles: RecordedFile[] = [];
  const attachments = files.map((file, index) => {
    attachmentFiles.push(file);
    return attachmentJson(state, origin.channelId, file, uploadMeta(body, index), ephemeral);
  });
  const interaction = origin.interaction;
  const json: any = {
    id,
    channel_id: origin.channelId,
    ...(origin.guildId ? { guild_id: origin.guildId } : {}),
    author: state.userJson(state.botUserId),
    content: typeof body?.content === 'string' ? body.content : '',
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: Boolean(body?.tts),
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments,
    embeds: normaliseEmbeds(body?.embeds),
    components: Array.isArray(body?.components) ? body.components : [],
    pinned: false,
    type: interaction ? (interaction.type === 2 && interaction.original ? 20 : 0) : 0,
    flags: messageFlags,
    ...(body?.nonce !== undefined ? { nonce: body.nonce } : {}),
  };
  if (interaction) {
    json.webhook_id = state.applicationId;
    json.application_id = state.applicationId;
    json.interaction_metadata = {
      id: interaction.id,
      type: interaction.type,
      user: state.userJson(interaction.userId),
      authorizing_integration_owners: origin.guildId ? { '0': origin.guildId } : {},
      ...(interaction.commandName ? { name: interaction.commandName, command_type: 1 } : {}),
    };
    json.interaction = {
      id: interaction.id,
      type: interaction.type,
      name: interaction.commandName ?? '',
      user: state.userJson(interaction.userId),
    };
  }
  const stored: StoredMessage = { json, files: attachmentFiles };
  state.messages.set(id, stored);
  return stored;
}

/**
 * Apply a PATCH like Discord: only given fields change; `attachments` lists the
 * existing ones to keep (by id) and new uploads (by index); the loading flag goes.
 */
export function editMessage(state: FakeState, stored: StoredMessage, body: any, files: RecordedFile[]): void {
  const json = stored.json;
  if (body?.content !== undefined) json.content = body.content ?? '';
  if (body?.embeds !== undefined) json.embeds = normaliseEmbeds(body.embeds);
  if (body?.components !== undefined) json.components = body.components ?? [];
  const ephemeral = (json.flags & MessageFlag.Ephemeral) !== 0;
  if (body?.attachments !== undefined || files.length > 0) {
    const keep: any[] = Array.isArray(body?.attachments) ? body.attachments : body?.attachments === null ? [] : json.attachments;
    const kept: any[] = [];
    const keptFiles: RecordedFile[] = [];
    for (const entry of keep) {
      const index = json.attachments.findIndex((a: any) => a.id === String(entry?.id));
      if (index >= 0) {
        kept.push(json.attachments[index]);
        const file = stored.files[index];
        if (file) keptFiles.push(file);
      }
    }
    files.forEach((file, index) => {
      kept.push(attachmentJson(state, json.channel_id, file, uploadMeta(body, index), ephemeral));
      keptFiles.push(file);
    });
    json.attachments = kept;
    stored.files = keptFiles;
  }
  let flags = json.flags & ~MessageFlag.Loading;
  if (typeof body?.flags === 'number') {
    // Only these can change after sending; ephemerality is fixed by the first response.
    const mutable = MessageFlag.SuppressEmbeds | MessageFlag.IsComponentsV2;
    flags = (flags & ~mutable) | (body.flags & mutable);
  }
  json.flags = flags;
  json.edited_timestamp = new Date().toISOString();
}

export function isEmptyMessage(json: any): boolean {
  return (
    !json.content &&
    (!Array.isArray(json.embeds) || json.embeds.length === 0) &&
    (!Array.isArray(json.components) || json.components.length === 0) &&
    (!Array.isArray(json.attachments) || json.attachments.length === 0) &&
    !json.poll &&
    !(Array.isArray(json.sticker_ids) && json.sticker_ids.length > 0)
  );
}

function len(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}

/** Discord's payload limits; an error Reply if the payload breaks one. `creating`: also reject empty messages. */
export function validateMessagePayload(body: any, files: RecordedFile[], creating: boolean): Reply | undefined {
  const problems: FieldProblem[] = [];
  const max = (path: (string | number)[], value: unknown, limit: number) => {
    if (len(value) > limit) problems.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${limit} or fewer in length.` });
  };
  if (body === null || typeof body !== 'object') {
    return creating ? emptyMessage() : undefined;
  }
  max(['content'], body.content, 2000);
  if (Array.isArray(body.embeds)) {
    if (body.embeds.length > 10) problems.push({ path: ['embeds'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 10 or fewer in length.' });
    let total = 0;
    body.embeds.forEach((embed: any, i: number) => {
      max(['embeds', i, 'title'], embed?.title, 256);
      max(['embeds', i, 'description'], embed?.description, 4096);
      max(['embeds', i, 'footer', 'text'], embed?.footer?.text, 2048);
      max(['embeds', i, 'author', 'name'], embed?.author?.name, 256);
      total += len(embed?.title) + len(embed?.description) + len(embed?.footer?.text) + len(embed?.author?.name);
      const fields: any[] = Array.isArray(embed?.fields) ? embed.fields : [];
      if (fields.length > 25) problems.push({ path: ['embeds', i, 'fields'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
      fields.forEach((field, j) => {
        if (!len(field?.name) || !len(field?.value)) {
          problems.push({ path: ['embeds', i, 'fields', j, len(field?.name) ? 'value' : 'name'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
        }
        max(['embeds', i, 'fields', j, 'name'], field?.name, 256);
        max(['embeds', i, 'fields', j, 'value'], field?.value, 1024);
        total += len(field?.name) + len(field?.value);
      });
    });
    if (total > 6000) problems.push({ path: ['embeds'], code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' });
  }
  const componentsV2 = typeof body.flags === 'number' && (body.flags & MessageFlag.IsComponentsV2) !== 0;
  if (Array.isArray(body.components) && !componentsV2) {
    if (body.components.length > 5) problems.push({ path: ['components'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 5 or fewer in length.' });
    body.components.forEach((row: any, i: number) => {
      const children: any[] = Array.isArray(row?.components) ? row.components : [];
      if (row?.type !== 1) problems.push({ path: ['components', i, 'type'], code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', message: 'Top-level components must be action rows' });
      if (children.length === 0 || children.length > 5) problems.push({ path: ['components', i, 'components'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 5 in length.' });
      children.forEach((child, j) => {
        max(['components', i, 'components', j, 'custom_id'], child?.custom_id, 100);
        max(['components', i, 'components', j, 'label'], child?.label, 80);
        const isLinkOrPremium = child?.type === 2 && (child?.style === 5 || child?.style === 6);
        if (!isLinkOrPremium && !len(child?.custom_id)) {
          problems.push({ path: ['components', i, 'components', j, 'custom_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
        }
        if (Array.isArray(child?.options) && child.options.length > 25) {
          problems.push({ path: ['components', i, 'components', j, 'options'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 25 in length.' });
        }
      });
    });
  }
  if (files.length > 10) problems.push({ path: ['files'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 10 or fewer in length.' });
  if (problems.length > 0) return invalidFormBody(problems);
  if (files.some((f) => f.data.length > ATTACHMENT_SIZE_LIMIT)) return { status: 413, body: { message: 'Request entity too large', code: 40005 } };
  if (creating && isEmptyMessage({ ...body, attachments: files })) return emptyMessage();
  return undefined;
}
