// The gateway half: HELLO, heartbeat ACKs, IDENTIFY -> READY + one
// GUILD_CREATE per guild of the shard (without them discord.js waits ~15 s
// before 'ready'), RESUME with replay, member list requests (op 8) answered
// with GUILD_MEMBERS_CHUNK, and dispatch of events to a chosen connection.
// Shares the HTTP server's port through the 'upgrade' event.
 
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { nextSnowflake, shardForGuild } from './snowflake.ts';
import type { FakeState } from './state.ts';

const GUILD_MEMBERS_INTENT = 1 << 1;
const MEMBERS_PER_CHUNK = 1000;
const Op = { Dispatch: 0, Heartbeat: 1, Identify: 2, PresenceUpdate: 3, VoiceStateUpdate: 4, Resume: 6, Reconnect: 7, RequestGuildMembers: 8, InvalidSession: 9, Hello: 10, HeartbeatAck: 11 } as const;

interface Session {
  id: string;
  seq: number;
  shard: [number, number];
  intents: number;
  /** dispatched events, replayed on RESUME */
  events: { s: number; t: string; d: unknown }[];
}

/** One WebSocket client, as tests see it. */
export interface GatewayConnectionInfo {
  index: number;
  open: boolean;
  /** READY and every GUILD_CREATE sent (or RESUMED) */
  ready: boolean;
  intents: number | undefined;
  shard: [number, number] | undefined;
  sessionId: string | undefined;
  /** query of the upgrade URL, e.g. { v: '10', encoding: 'json' } */
  query: Record<string, string>;
  /** payloads the client sent other than heartbeats (identify tokens redacted) */
  received: { op: number; d: unknown }[];
}

interface Connection extends GatewayConnectionInfo {
  ws: WebSocket;
  session: Session | undefined;
}

export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections: Connection[] = [];
  private readonly sessions = new Map<string, Session>();
  /** intents of the latest IDENTIFY */
  identifyIntents: number | undefined;
  #holdIdentify = false;
  readonly #heldIdentifies: (() => void)[] = [];

  constructor(
    private readonly state: FakeState,
    server: Server,
  ) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
    });
  }

  /** While true, IDENTIFYs wait unanswered (no READY, no close); set back to false, the waiting ones are answered. */
  get holdIdentify(): boolean {
    return this.#holdIdentify;
  }
  set holdIdentify(value: boolean) {
    this.#holdIdentify = value;
    if (!value) for (const answer of this.#heldIdentifies.splice(0)) answer();
  }

  get connectionInfo(): GatewayConnectionInfo[] {
    return this.connections.map(({ ws: _ws, session: _session, ...info }) => ({ ...info }));
  }

  get readyCount(): number {
    return this.connections.filter((c) => c.open && c.ready).length;
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const connection: Connection = {
      index: this.connections.length,
      open: true,
      ready: false,
      intents: undefined,
      shard: undefined,
      sessionId: undefined,
      query: Object.fromEntries(url.searchParams),
      received: [],
      ws,
      session: undefined,
    };
    this.connections.push(connection);
    ws.on('message', (data: RawData) => this.onMessage(connection, data));
    ws.on('close', () => {
      connection.open = false;
      connection.ready = false;
      this.state.signal.notify();
    });
    ws.on('error', () => undefined);
    this.send(connection, { op: Op.Hello, d: { heartbeat_interval: this.state.heartbeatIntervalMs, _trace: ['fake-gateway'] } });
  }

  private send(connection: Connection, payload: { op: number; d: unknown; s?: number | null; t?: string | null }): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!connection.open) {
        reject(new Error(`fake discord: gateway connection ${connection.index} is closed`));
        return;
      }
      connection.ws.send(JSON.stringify({ s: null, t: null, ...payload }), (error) => (error ? reject(error) : resolve()));
    });
  }

  private onMessage(connection: Connection, data: RawData): void {
    let payload: any;
    try {
      payload = JSON.parse(data.toString());
    } catch {
      connection.ws.close(4002, 'Error while decoding payload.');
      return;
    }
    if (payload?.op !== Op.Heartbeat) {
      const d = payload?.op === Op.Identify || payload?.op === Op.Resume ? { ...payload.d, token: '[redacted]' } : payload?.d;
      connection.received.push({ op: payload?.op, d });
    }
    switch (payload?.op) {
      case Op.Heartbeat:
        void this.send(connection, { op: Op.HeartbeatAck, d: null }).catch(() => undefined);
        return;
      case Op.Identify:
        void this.identify(connection, payload.d).catch(() => undefined);
        return;
      case Op.Resume:
        void this.resume(connection, payload.d).catch(() => undefined);
        return;
      case Op.PresenceUpdate:
      case Op.VoiceStateUpdate:
        if (!connection.session) connection.ws.close(4003, 'Not authenticated.');
        return;
      case Op.RequestGuildMembers:
        if (!connection.session) connection.ws.close(4003, 'Not authenticated.');
        else void this.requestGuildMembers(connection, payload.d).catch(() => undefined);
        return;
      default:
        connection.ws.close(4001, 'Unknown opcode.');
    }
  }

  /**
   * op 8: the members as GUILD_MEMBERS_CHUNK events of at most 1000, as
   * Discord sends them. The whole list (empty query, no user_ids) needs the
   * Guild Members intent; without it Discord sends nothing (the client times out).
   */
  private async requestGuildMembers(connection: Connection, d: any): Promise<void> {
    const guild = this.state.guilds.get(String(d?.guild_id));
    if (!guild) return;
    const userIds: string[] | undefined = Array.isArray(d?.user_ids) ? d.user_ids.map(String) : typeof d?.user_ids === 'string' ? [d.user_ids] : undefined;
    const query = typeof d?.query === 'string' ? d.query.toLowerCase() : '';
    if (!userIds && query === '' && ((connection.session?.intents ?? 0) & GUILD_MEMBERS_INTENT) === 0) return;
    let members = [...guild.members.values()].filter((m) =>
      userIds ? userIds.includes(m.userId) : (this.state.users.get(m.userId)?.username ?? '').toLowerCase().startsWith(query),
    );
    const limit = Number(d?.limit ?? 0);
    if (limit > 0) members = members.slice(0, limit);
    const count = Math.max(1, Math.ceil(members.length / MEMBERS_PER_CHUNK));
    for (let index = 0; index < count; index += 1) {
      const chunk = members.slice(index * MEMBERS_PER_CHUNK, (index + 1) * MEMBERS_PER_CHUNK);
      await this.dispatch(connection, 'GUILD_MEMBERS_CHUNK', {
        guild_id: guild.id,
        members: chunk.map((m) => this.state.memberJson(guild.id, m.userId)),
        chunk_index: index,
        chunk_count: count,
        ...(userIds ? { not_found: userIds.filter((id) => !guild.members.has(id)) } : {}),
        ...(d?.nonce !== undefined ? { nonce: d.nonce } : {}),
      });
    }
  }

  private tokenMatches(token: unknown): boolean {
    return typeof token === 'string' && token.replace(/^Bot /, '') === this.state.botToken;
  }

  private async identify(connection: Connection, d: any): Promise<void> {
    if (this.#holdIdentify) {
      this.#heldIdentifies.push(() => void this.identify(connection, d).catch(() => undefined));
      return;
    }
    if (connection.session) {
      connection.ws.close(4005, 'Already authenticated.');
      return;
    }
    if (!this.tokenMatches(d?.token)) {
      connection.ws.close(4004, 'Authentication failed.');
      return;
    }
    const shard: [number, number] = Array.isArray(d?.shard) ? [Number(d.shard[0]), Number(d.shard[1])] : [0, 1];
    if (!(shard[1] >= 1 && shard[0] >= 0 && shard[0] < shard[1])) {
      connection.ws.close(4010, 'Invalid shard.');
      return;
    }
    if (typeof d?.intents !== 'number') {
      connection.ws.close(4013, 'Invalid intent(s).');
      return;
    }
    const session: Session = { id: nextSnowflake().slice(-12) + Math.random().toString(16).slice(2, 14), seq: 0, shard, intents: d.intents, events: [] };
    this.sessions.set(session.id, session);
    this.identifyIntents = d.intents;
    Object.assign(connection, { session, sessionId: session.id, intents: d.intents, shard });
    const guilds = this.guildsOfShard(shard);
    await this.dispatch(connection, 'READY', {
      v: 10,
      user: this.state.botUserJson(),
      user_settings: {},
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      guild_join_requests: [],
      relationships: [],
      private_channels: [],
      presences: [],
      geo_ordered_rtc_regions: ['fake'],
      session_type: 'normal',
      session_id: session.id,
      resume_gateway_url: this.state.baseUrl.replace(/^http/, 'ws'),
      shard,
      application: { id: this.state.applicationId, flags: 0 },
      auth: {},
      _trace: ['fake-gateway'],
    });
    for (const guild of guilds) await this.dispatch(connection, 'GUILD_CREATE', this.state.guildCreateJson(guild));
    connection.ready = true;
    this.state.signal.notify();
  }

  private async resume(connection: Connection, d: any): Promise<void> {
    const session = typeof d?.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    if (!session || !this.tokenMatches(d?.token)) {
      await this.send(connection, { op: Op.InvalidSession, d: false });
      return;
    }
    // A session lives on one connection at a time.
    for (const other of this.connections) if (other !== connection && other.session === session && other.open) other.ws.close(4009, 'Session timed out.');
    Object.assign(connection, { session, sessionId: session.id, intents: session.intents, shard: session.shard });
    for (const event of session.events.filter((e) => e.s > Number(d.seq ?? 0))) {
      await this.send(connection, { op: Op.Dispatch, s: event.s, t: event.t, d: event.d });
    }
    await this.dispatch(connection, 'RESUMED', { _trace: ['fake-gateway'] });
    connection.ready = true;
    this.state.signal.notify();
  }

  private guildsOfShard(shard: [number, number]) {
    return [...this.state.guilds.values()].filter((g) => shardForGuild(g.id, shard[1]) === shard[0]);
  }

  /** Send a dispatch (op 0) with the session's next sequence number. */
  async dispatch(connection: Connection | number, t: string, d: unknown): Promise<void> {
    const target = typeof connection === 'number' ? this.connections[connection] : connection;
    if (!target?.session) throw new Error(`fake discord: gateway connection ${String(connection)} has not identified`);
    const s = ++target.session.seq;
    target.session.events.push({ s, t, d });
    await this.send(target, { op: Op.Dispatch, s, t, d });
  }

  /**
   * A guild event as Discord fans it out: to every session that has `intent`
   * and whose shard owns the guild. A session whose connection dropped gets
   * it on RESUME, like the real gateway's replay.
   */
  guildEvent(guildId: string, t: string, d: unknown, intent: number): void {
    for (const session of this.sessions.values()) {
      if ((session.intents & intent) === 0 || shardForGuild(guildId, session.shard[1]) !== session.shard[0]) continue;
      const connection = this.connections.find((c) => c.open && c.session === session);
      if (connection) {
        void this.dispatch(connection, t, d).catch(() => undefined);
      } else {
        session.seq += 1;
        session.events.push({ s: session.seq, t, d });
      }
    }
  }

  /**
   * Which connection gets an event for a guild: the given index, else the first
   * ready one whose shard owns the guild (DMs go to shard 0). With no session
   * on that shard Discord delivers it nowhere, and so does the fake: it throws.
   */
  pickConnection(guildId: string | undefined, index?: number): number {
    if (index !== undefined) {
      const chosen = this.connections[index];
      if (!chosen?.open || !chosen.session) throw new Error(`fake discord: gateway connection ${index} is not open and identified`);
      return index;
    }
    const ready = this.connections.filter((c) => c.open && c.ready);
    const owner = ready.find((c) => {
      const [id, count] = c.shard ?? [0, 1];
      return guildId ? shardForGuild(guildId, count) === id : id === 0;
    });
    if (!owner && ready.length) throw new Error(`fake discord: no ready gateway session on the shard of ${guildId ? `guild ${guildId}` : 'direct messages (shard 0)'}`);
    const chosen = owner;
    if (!chosen) throw new Error('fake discord: no ready gateway connection (did the bot log in? await fake.waitForReady())');
    return chosen.index;
  }

  /** Close connections (all open ones, or one) with a close code; 4000 makes discord.js resume, 1000 re-identify. */
  disconnect(code = 4000, index?: number): void {
    for (const connection of this.connections) {
      if (!connection.open || (index !== undefined && connection.index !== index)) continue;
      connection.ws.close(code, 'fake discord: disconnect');
    }
  }

  /** Ask the client to reconnect and resume (op 7), as Discord does during restarts. */
  async requestReconnect(index?: number): Promise<void> {
    for (const connection of this.connections) {
      if (!connection.open || (index !== undefined && connection.index !== index)) continue;
      await this.send(connection, { op: Op.Reconnect, d: null });
    }
  }

  close(): Promise<void> {
    for (const connection of this.connections) connection.ws.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}
