import { TcpProxy } from './tcpProxy.ts';

export interface CapturedStatement {
  sql: string;
  /** text-format parameters; undefined where a parameter was sent in binary */
  params: (string | null | undefined)[];
}

/**
 * A TCP proxy in front of PostgreSQL that reads the frontend side of the
 * wire protocol and records every statement clients run: each Execute of the
 * extended protocol (how node-postgres sends a query) and each simple Query,
 * with its SQL and parameters. Tests and benchmarks count a command's real
 * database round trips with it, whatever the ORM does inside, and EXPLAIN them.
 */
export class PgStatementCounter {
  private constructor(
    private readonly proxy: TcpProxy,
    /** every statement of every connection, in order */
    readonly statements: CapturedStatement[],
  ) {}

  /**
   * Connections of the bot's job queue (application_name `evebot-jobs`) are
   * not counted: their polling runs on its own clock, whatever a command does.
   */
  static async start(target: { host: string; port: number }): Promise<PgStatementCounter> {
    const statements: CapturedStatement[] = [];
    const proxy = await TcpProxy.start(target, () => statementReader(statements, (application) => application !== JOB_QUEUE_APPLICATION));
    return new PgStatementCounter(proxy, statements);
  }

  get port(): number {
    return this.proxy.port;
  }

  reset(): void {
    this.statements.length = 0;
  }

  proxied(url: string): string {
    return this.proxy.proxied(url);
  }

  close(): Promise<void> {
    return this.proxy.close();
  }
}

/** The application_name the job queue's connections give (src/jobs/graphileBackend.ts). */
const JOB_QUEUE_APPLICATION = 'evebot-jobs';

/** Reads one connection's frontend messages and appends each executed statement (if the connection counts). */
function statementReader(statements: CapturedStatement[], counts: (application: string | undefined) => boolean): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  let started = false;
  let counted = true;
  let lastSql = '';
  let lastParams: CapturedStatement['params'] = [];
  return (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (!started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        const message = buffer.subarray(8, length);
        buffer = buffer.subarray(length);
        // SSLRequest / GSSENCRequest come before the real startup message.
        if (code !== 80877103 && code !== 80877104) {
          started = true;
          counted = counts(startupParameters(message).application_name);
        }
        continue;
      }
      if (buffer.length < 5) return;
      const type = String.fromCharCode(buffer[0]!);
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      const body = buffer.subarray(5, 1 + length);
      buffer = buffer.subarray(1 + length);
      if (type === 'P') {
        const nameEnd = body.indexOf(0);
        lastSql = body.subarray(nameEnd + 1, body.indexOf(0, nameEnd + 1)).toString('utf8');
      } else if (type === 'B') {
        lastParams = parseBind(body);
      } else if (type === 'E') {
        if (counted) statements.push({ sql: lastSql, params: lastParams });
      } else if (type === 'Q') {
        if (counted) statements.push({ sql: body.subarray(0, body.length - 1).toString('utf8'), params: [] });
      }
    }
  };
}

/** The key/value pairs of a startup message (user, database, application_name, …). */
function startupParameters(message: Buffer): Record<string, string> {
  const parts = message.toString('utf8').split('\0');
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length && parts[i]; i += 2) out[parts[i]!] = parts[i + 1]!;
  return out;
}

function parseBind(body: Buffer): CapturedStatement['params'] {
  let offset = body.indexOf(0) + 1; // portal
  offset = body.indexOf(0, offset) + 1; // statement
  const formatCount = body.readInt16BE(offset);
  offset += 2;
  const formats: number[] = [];
  for (let i = 0; i < formatCount; i += 1, offset += 2) formats.push(body.readInt16BE(offset));
  const paramCount = body.readInt16BE(offset);
  offset += 2;
  const params: CapturedStatement['params'] = [];
  for (let i = 0; i < paramCount; i += 1) {
    const length = body.readInt32BE(offset);
    offset += 4;
    if (length === -1) {
      params.push(null);
      continue;
    }
    const format = formats.length === 1 ? formats[0] : (formats[i] ?? 0);
    params.push(format === 1 ? undefined : body.subarray(offset, offset + length).toString('utf8'));
    offset += length;
  }
  return params;
}
