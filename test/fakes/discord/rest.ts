// The REST half: a small router over /api/v10 with the routes a bot uses,
// request recording, injected failures/latency, and rate-limit headers that
// never make @discordjs/rest wait unless a test asks for a 429.
 
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { parseBody, readRaw } from './body.ts';
import { bulkOverwrite, deleteCommand, upsertCommand } from './commands.ts';
import { discordError, invalidFormBody, notFound, unauthorized, type Reply } from './errors.ts';
import { editMember, editMemberRole, listMembers, unknownMember } from './members.ts';
import { interactionCallback, interactionFollowup, interactionMessage, webhookInteraction } from './interactions.ts';
import { createMessage, editMessage, MessageFlag, validateMessagePayload } from './messages.ts';
import type { FakeState } from './state.ts';
import type { RecordedFile, RecordedRequest } from './types.ts';


interface Context {
  state: FakeState;
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
  files: RecordedFile[];
  /** lower-cased request headers */
  headers: Record<string, string>;
}

interface Route {
  method: string;
  segments: string[];
  template: string;
  /** bot routes need `Authorization: Bot <token>`; interaction/webhook routes use the token in the path */
  auth: boolean;
  handler: (ctx: Context) => Reply;
}

const routes: Route[] = [];
function route(method: string, template: string, auth: boolean, handler: (ctx: Context) => Reply): void {
  routes.push({ method, template, segments: template.split('/').filter(Boolean), auth, handler });
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const unknownUser = () => discordError(404, 10013, 'Unknown User');
const unknownGuild = () => discordError(404, 10004, 'Unknown Guild');
const unknownChannel = () => discordError(404, 10003, 'Unknown Channel');
const unknownApplication = () => discordError(404, 10002, 'Unknown Application');

// ---- gateway & identity ----

route('GET', '/gateway', false, ({ state }) => ok({ url: gatewayUrl(state) }));
route('GET', '/gateway/bot', true, ({ state }) =>
  ok({
    url: gatewayUrl(state),
    shards: state.recommendedShards,
    session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
  }),
);
route('GET', '/users/@me', true, ({ state }) => ok(state.botUserJson()));
// Discord's paging: guilds in id order after `after` (or before `before`), `limit` 1–200 (default 200).
route('GET', '/users/@me/guilds', true, ({ state, query }) => {
  const limit = query.has('limit') ? Number(query.get('limit')) : 200;
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) return invalidFormBody([{ path: ['limit'], code: 'NUMBER_TYPE_MAX', message: 'int value should be between 1 and 200.' }]);
  const after = BigInt(query.get('after') ?? '0');
  const before = query.has('before') ? BigInt(query.get('before')!) : undefined;
  const ids = [...state.guilds.keys()].map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const chosen = before !== undefined ? ids.filter((id) => id < before).slice(-limit) : ids.filter((id) => id > after).slice(0, limit);
  return ok(chosen.map((id) => state.guilds.get(String(id))!).map((g) => ({ id: g.id, name: g.name, icon: null, banner: null, owner: false, permissions: '8', features: [] })));
});
route('GET', '/users/:user', true, ({ state, params }) => (state.users.has(params.user!) ? ok(state.userJson(params.user!)) : unknownUser()));
route('GET', '/applications/@me', true, ({ state }) => ok(applicationJson(state)));
route('GET', '/oauth2/applications/@me', true, ({ state }) => ok(applicationJson(state)));

function gatewayUrl(state: FakeState): string {
  return state.baseUrl.replace(/^http/, 'ws');
}

function applicationJson(state: FakeState): any {
  return {
    id: state.applicationId,
    name: 'Fake Bot',
    icon: null,
    description: '',
    summary: '',
    type: null,
    bot_public: false,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    hook: true,
    is_monetized: false,
    is_verified: false,
    is_discoverable: false,
    integration_types_config: { '0': {} },
    approximate_guild_count: state.guilds.size,
    bot: state.userJson(state.botUserId),
    owner: state.userJson(state.guilds.values().next().value?.ownerId ?? state.botUserId),
    team: null,
    tags: [],
    redirect_uris: [],
    interactions_endpoint_url: null,
    role_connections_verification_url: null,
  };
}

// ---- application commands ----

/** Scope key for the command store, or an error if the app/guild is wrong. */
function commandScope({ state, params }: Context): string | Reply {
  if (params.app !== state.applicationId) return unknownApplication();
  if (params.guild === undefined) return 'global';
  // Registering in a guild the bot is not in is refused by Discord.
  if (!state.guilds.has(params.guild)) return discordError(403, 50001, 'Missing Access');
  return params.guild;
}

for (const base of ['/applications/:app/commands', '/applications/:app/guilds/:guild/commands']) {
  route('GET', base, true, (ctx) => {
    const scope = commandScope(ctx);
    return typeof scope === 'string' ? ok(ctx.state.commandsStored.get(scope) ?? []) : scope;
  });
  route('PUT', base, true, (ctx) => {
    const scope = commandScope(ctx);
    return typeof scope === 'string' ? bulkOverwrite(ctx.state, scope, ctx.body) : scope;
  });
  route('POST', base, true, (ctx) => {
    const scope = commandScope(ctx);
    return typeof scope === 'string' ? upsertCommand(ctx.state, scope, ctx.body) : scope;
  });
  route('GET', `${base}/:command`, true, (ctx) => {
    const scope = commandScope(ctx);
    if (typeof scope !== 'string') return scope;
    const command = ctx.state.commandsStored.get(scope)?.find((c) => c.id === ctx.params.command);
    return command ? ok(command) : discordError(404, 10063, 'Unknown application command');
  });
  route('DELETE', `${base}/:command`, true, (ctx) => {
    const scope = commandScope(ctx);
    return typeof scope === 'string' ? deleteCommand(ctx.state, scope, ctx.params.command!) : scope;
  });
}

// ---- interactions (no bot auth: the interaction token is the credential) ----

route('POST', '/interactions/:id/:token/callback', false, ({ state, params, query, body, files }) =>
  interactionCallback(state, params.id!, params.token!, query.get('with_response') === 'true', body, files),
);
route('POST', '/webhooks/:app/:token', false, ({ state, params, query, body, files }) => {
  const record = webhookInteraction(state, params.app!, params.token!);
  return 'status' in record ? record : interactionFollowup(state, record, query.get('wait') === 'true', body, files);
});
for (const method of ['GET', 'PATCH', 'DELETE']) {
  route(method, '/webhooks/:app/:token/messages/:message', false, ({ state, params, body, files }) => {
    const record = webhookInteraction(state, params.app!, params.token!);
    return 'status' in record ? record : interactionMessage(state, record, method, params.message!, body, files);
  });
}

// ---- channels, DMs, guilds ----

route('POST', '/users/@me/channels', true, ({ state, body }) => {
  const recipient = body?.recipient_id;
  if (typeof recipient !== 'string' || !/^\d{17,20}$/.test(recipient)) {
    return discordError(400, 50035, 'Invalid Form Body', { recipient_id: { _errors: [{ code: 'NUMBER_TYPE_COERCE', message: `Value "${recipient}" is not snowflake.` }] } });
  }
  state.ensureUser(recipient);
  return ok(state.channelJson(state.dmChannelFor(recipient).id));
});
route('GET', '/channels/:channel', true, ({ state, params }) => {
  const channel = state.channelJson(params.channel!);
  return channel ? ok(channel) : unknownChannel();
});
route('POST', '/channels/:channel/messages', true, ({ state, params, body, files }) => {
  const channel = state.channels.get(params.channel!);
  if (!channel) return unknownChannel();
  if (channel.type === 1 && state.dmClosedUserIds.has(channel.recipientId!)) {
    return discordError(403, 50007, 'Cannot send messages to this user');
  }
  const problem = validateMessagePayload(body, files, true);
  if (problem) return problem;
  const flags = (body?.flags ?? 0) & (MessageFlag.SuppressEmbeds | MessageFlag.IsComponentsV2);
  const message = createMessage(state, { channelId: channel.id, guildId: channel.guildId }, body, files, flags);
  if (channel.type === 1) {
    state.directMessages.push({
      userId: channel.recipientId!,
      channelId: channel.id,
      messageId: message.json.id,
      body: structuredClone(body),
      files,
      at: performance.now(),
    });
    state.signal.notify();
  }
  return ok(structuredClone(message.json));
});
function channelMessage(state: FakeState, params: Record<string, string>) {
  const message = state.messages.get(params.message!);
  return message && message.json.channel_id === params.channel ? message : undefined;
}
route('GET', '/channels/:channel/messages/:message', true, ({ state, params }) => {
  const message = channelMessage(state, params);
  return message ? ok(structuredClone(message.json)) : discordError(404, 10008, 'Unknown Message');
});
route('PATCH', '/channels/:channel/messages/:message', true, ({ state, params, body, files }) => {
  const message = channelMessage(state, params);
  if (!message) return discordError(404, 10008, 'Unknown Message');
  const problem = validateMessagePayload(body, files, false);
  if (problem) return problem;
  editMessage(state, message, body, files);
  state.signal.notify();
  return ok(structuredClone(message.json));
});
route('DELETE', '/channels/:channel/messages/:message', true, ({ state, params }) => {
  const message = channelMessage(state, params);
  if (!message) return discordError(404, 10008, 'Unknown Message');
  state.messages.delete(message.json.id);
  state.signal.notify();
  return { status: 204 };
});

route('GET', '/guilds/:guild', true, ({ state, params }) => {
  const guild = state.guilds.get(params.guild!);
  return guild ? ok({ ...state.guildJson(guild), approximate_member_count: guild.members.size }) : unknownGuild();
});
route('GET', '/guilds/:guild/roles', true, ({ state, params }) => {
  const guild = state.guilds.get(params.guild!);
  return guild ? ok(state.rolesJson(guild)) : unknownGuild();
});
route('GET', '/guilds/:guild/channels', true, ({ state, params }) => {
  const guild = state.guilds.get(params.guild!);
  return guild ? ok([state.channelJson(guild.channelId)]) : unknownGuild();
});
route('GET', '/guilds/:guild/members', true, ({ state, params, query }) => listMembers(state, params.guild!, query));
route('GET', '/guilds/:guild/members/:user', true, ({ state, params }) => {
  if (!state.guilds.has(params.guild!)) return unknownGuild();
  const member = state.memberJson(params.guild!, params.user!);
  return member ? ok(member) : unknownMember();
});
const MEMBER_PATCH = '/guilds/:guild/members/:user';
const MEMBER_ROLE = '/guilds/:guild/members/:user/roles/:role';
route('PATCH', MEMBER_PATCH, true, ({ state, params, body }) => editMember(state, params.guild!, params.user!, body));
route('PUT', MEMBER_ROLE, true, ({ state, params }) => editMemberRole(state, params.guild!, params.user!, params.role!, true));
route('DELETE', MEMBER_ROLE, true, ({ state, params }) => editMemberRole(state, params.guild!, params.user!, params.role!, false));

// ---- dispatch ----

function match(method: string, segments: string[]): { route: Route; params: Record<string, string> } | undefined {
  for (const candidate of routes) {
    if (candidate.method !== method || candidate.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let matched = true;
    candidate.segments.forEach((part, i) => {
      const value = segments[i]!;
      if (part.startsWith(':')) params[part.slice(1)] = value;
      else if (part !== value) matched = false;
    });
    // A literal route ('/users/@me') wins over a parameter one ('/users/:user') because it is declared first.
    if (matched) return { route: candidate, params };
  }
  return undefined;
}

/** Rate-limit headers with plenty of room; one bucket per route so discord.js queues like in production. */
function rateLimitHeaders(method: string, template: string): Record<string, string> {
  const resetAfter = 60;
  return {
    'x-ratelimit-limit': '50',
    'x-ratelimit-remaining': '49',
    'x-ratelimit-reset': ((Date.now() + resetAfter * 1000) / 1000).toFixed(3),
    'x-ratelimit-reset-after': resetAfter.toFixed(3),
    'x-ratelimit-bucket': createHash('sha1').update(`${method} ${template}`).digest('hex').slice(0, 32),
  };
}

/** Fill in what a real 429 carries when a test only gave the status. */
function failureReply(response: { status: number; body?: unknown; headers?: Record<string, string> }): Reply {
  if (response.status !== 429) {
    return { status: response.status, body: response.body ?? { message: `${response.status}: injected failure`, code: 0 }, headers: response.headers ?? {} };
  }
  const body: any = response.body ?? { message: 'You are being rate limited.', retry_after: 0.05, global: false };
  const retryAfter = String(body?.retry_after ?? 0.05);
  return {
    status: 429,
    body,
    headers: {
      'retry-after': retryAfter,
      'x-ratelimit-limit': '50',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset-after': retryAfter,
      'x-ratelimit-reset': ((Date.now() + Number(retryAfter) * 1000) / 1000).toFixed(3),
      'x-ratelimit-scope': body?.global ? 'global' : 'user',
      ...(body?.global ? { 'x-ratelimit-global': 'true' } : {}),
      ...response.headers,
    },
  };
}

function redacted(request: RecordedRequest): RecordedRequest {
  const headers = { ...request.headers };
  if (headers.authorization) headers.authorization = '[redacted]';
  return { ...request, headers };
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const payload = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(JSON.stringify(reply.body));
  if (!Buffer.isBuffer(reply.body)) headers['content-type'] = 'application/json';
  headers['content-length'] = String(payload.length);
  res.writeHead(reply.status, headers).end(payload);
}

/** Uploaded files are served back at their attachment URL, so a test (or the bot) can download them. */
function serveAttachment(state: FakeState, segments: string[]): Reply | undefined {
  if (segments[0] !== 'attachments' || segments.length !== 4) return undefined;
  const message = [...state.messages.values()].find((m) => m.json.attachments.some((a: any) => a.id === segments[2]));
  const index = message?.json.attachments.findIndex((a: any) => a.id === segments[2]) ?? -1;
  const file = index >= 0 ? message!.files[index] : undefined;
  if (!file) return undefined;
  return { status: 200, body: file.data, headers: { 'content-type': message!.json.attachments[index].content_type } };
}

export async function handleRest(state: FakeState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = performance.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://fake.invalid');
  let segments: string[];
  try {
    segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    segments = url.pathname.split('/').filter(Boolean);
  }
  const isApi = segments[0] === 'api' && segments[1] === 'v10';
  const path = '/' + (isApi ? segments.slice(2) : segments).join('/');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const recorded: RecordedRequest = { method, path, query: Object.fromEntries(url.searchParams), headers, body: undefined, files: [], status: 0, at };
  state.requests.push(recorded);

  const raw = await readRaw(req);
  const parsed = await parseBody(raw, req.headers['content-type']);
  recorded.body = parsed.body;
  recorded.files = parsed.files;

  // Latency before handling: the effect (and a response's `at`) lands late, as with a slow Discord.
  if (state.restLatencyMs > 0) await delay(state.restLatencyMs);
  const reply = answer(state, method, isApi ? segments.slice(2) : segments, isApi, url.searchParams, headers, parsed);
  // Set synchronously: a test woken by the handler's notify() already sees the status.
  recorded.status = reply.status;
  if (reply.unexpected) state.unexpected.push(redacted(recorded));
  state.signal.notify();
  if (!res.destroyed) send(res, reply);
}

function answer(
  state: FakeState,
  method: string,
  segments: string[],
  isApi: boolean,
  query: URLSearchParams,
  headers: Record<string, string>,
  parsed: Awaited<ReturnType<typeof parseBody>>,
): Reply & { unexpected?: boolean } {
  if (!isApi) {
    const file = method === 'GET' ? serveAttachment(state, segments) : undefined;
    return file ?? { ...notFound(), unexpected: true };
  }
  const path = '/' + segments.join('/');
  const rule = state.failRules.find((r) => r.remaining > 0 && (!r.method || r.method.toUpperCase() === method) && r.path.test(path));
  if (rule) {
    rule.remaining -= 1;
    if (rule.remaining === 0) state.failRules.splice(state.failRules.indexOf(rule), 1);
    return failureReply(rule.response);
  }
  const found = match(method, segments);
  if (!found) return { ...notFound(), unexpected: true };
  const isMemberWrite = (method === 'PATCH' && found.route.template === MEMBER_PATCH) || found.route.template === MEMBER_ROLE;
  const reply = routeReply(state, found, query, headers, parsed, isMemberWrite);
  if (isMemberWrite) recordMemberWrite(state, method, found.params, parsed.body, headers, reply);
  return reply;
}

function routeReply(
  state: FakeState,
  found: { route: Route; params: Record<string, string> },
  query: URLSearchParams,
  headers: Record<string, string>,
  parsed: Awaited<ReturnType<typeof parseBody>>,
  isMemberWrite: boolean,
): Reply {
  let limits = rateLimitHeaders(found.route.method, found.route.template);
  if (found.route.auth && headers.authorization !== `Bot ${state.botToken}`) return { ...unauthorized(), headers: limits };
  if (isMemberWrite) {
    // The member edit bucket is real: per guild, counted, refused with 429 once spent.
    // The single-role routes draw on the same bucket here (stricter than separate buckets).
    const taken = state.memberLimiter.take(found.params.guild!);
    if (taken.refused) return taken.refused;
    limits = taken.headers;
  }
  if (parsed.error) return { ...discordError(400, 50109, 'The request body contains invalid JSON.'), headers: limits };
  const reply = found.route.handler({ state, params: found.params, query, body: parsed.body, files: parsed.files, headers });
  return { ...reply, headers: { ...limits, ...reply.headers } };
}

function recordMemberWrite(state: FakeState, method: string, params: Record<string, string>, body: unknown, headers: Record<string, string>, reply: Reply): void {
  let auditLogReason = headers['x-audit-log-reason'];
  try {
    if (auditLogReason !== undefined) auditLogReason = decodeURIComponent(auditLogReason);
  } catch {
    // Discord shows a badly encoded reason as sent.
  }
  const code = (reply.body as { code?: unknown } | undefined)?.code;
  state.memberWrites.push({
    at: performance.now(),
    method: method as 'PATCH' | 'PUT' | 'DELETE',
    ...(params.role !== undefined ? { roleId: params.role } : {}),
    guildId: params.guild!,
    userId: params.user!,
    body: structuredClone(body),
    status: reply.status,
    ...(typeof code === 'number' ? { code } : {}),
    auditLogReason,
  });
}
