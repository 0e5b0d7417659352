import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** What a live holder says about itself when asked through its lock socket. */
export interface LockHolder {
  pid?: number;
  /** the script it runs (main.ts for the bot, migrate.ts, …) */
  program?: string;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    const who = holder.pid === undefined ? '' : ` (pid ${holder.pid}${holder.program ? `, ${holder.program}` : ''})`;
    super(`Another bot process${who} is using the embedded database in ${dataDir}. Stop it first, or give this process another DATA_DIR.`);
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  /** Stops answering on the lock socket: from then on anyone may take the directory. */
  release(): Promise<void>;
}

/** The lock sockets are `bot.lock.<generation>`; a new holder takes the generation after the newest. */
const GENERATION = /^bot\.lock\.(\d+)$/;
const generationName = (n: number) => `bot.lock.${n}`;
/** Written by the version that locked with a pid file; a pid says nothing once the process is gone (pids are reused). */
const LEGACY_PID_FILE = 'bot.pid';
/** sun_path holds 108 bytes on Linux, 104 on macOS (with the final NUL): stay well below both. */
const MAX_SOCKET_PATH = 100;
const ATTEMPTS = 20;
const PROBE_TIMEOUT_MS = 2_000;

/**
 * One process at a time in a data directory, with a lock that the operating
 * system drops when its holder dies, however it dies: the holder listens on
 * a Unix socket in the directory. A live holder accepts connections (and
 * says its pid); the socket file of a dead one refuses them (ECONNREFUSED).
 * No pid is ever compared, so a reused pid cannot block a start.
 *
 * Taking over a dead holder's socket must not race with another process
 * doing the same, and "remove the stale file, then create ours" does race
 * (both remove, both create). So nothing is replaced: each holder adds the
 * next generation `bot.lock.<n+1>` with link(2), which fails if the name
 * exists, and only after its socket already listens, so a lock file that
 * exists always answers while its holder lives. A process that finds a
 * newer generation than its own after linking backs off. Older generations
 * are removed by the holder.
 *
 * On Windows the lock is a named pipe derived from the directory's path,
 * which the system removes with its owner.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const lock = process.platform === 'win32' ? await lockWithNamedPipe(dataDir) : await lockWithSocketFile(dataDir);
  // A bot of the previous version (which knew only the pid file) may still run on this directory during an upgrade.
  const legacy = legacyHolder(dataDir);
  if (legacy !== undefined) {
    await lock.release();
    throw new DataDirInUseError(dataDir, { pid: legacy, program: 'a previous version' });
  }
  rmSync(join(dataDir, LEGACY_PID_FILE), { force: true });
  return lock;
}

/**
 * The pid in a previous version's `bot.pid`, when that process is alive and
 * is a bot (a node process running main.ts or main.js, as /proc tells):
 * a reused pid of an unrelated process does not count. Without /proc
 * (not Linux) the file is not trusted, as the socket lock decides.
 */
function legacyHolder(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(dataDir, LEGACY_PID_FILE), 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const isNode = /(^|\/)node(\.exe)?$/.test(command[0] ?? '') || command[0] === process.execPath;
    return isNode && command.some((arg) => /(^|\/)main\.(ts|js)$/.test(arg)) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function lockWithSocketFile(dataDir: string): Promise<DataDirLock> {
  const short = shortPathTo(dataDir);
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const newest = newestGeneration(dataDir);
      if (newest > 0) {
        const holder = await probe(join(short.dir, generationName(newest)));
        if (holder) throw new DataDirInUseError(dataDir, holder);
      }
      const ours = newest + 1;
      const privateName = `bot.lock-${randomBytes(4).toString('hex')}`;
      const server = await listen(join(short.dir, privateName));
      try {
        linkSync(join(dataDir, privateName), join(dataDir, generationName(ours)));
      } catch (error) {
        await close(server);
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue; // another process took this generation first
        throw error;
      } finally {
        rmSync(join(dataDir, privateName), { force: true });
      }
      if (newestGeneration(dataDir) !== ours) {
        await close(server); // a newer holder exists: ours was taken from a stale view of the directory
        continue;
      }
      for (const name of readdirSync(dataDir)) {
        const generation = GENERATION.exec(name);
        if (generation && Number(generation[1]) < ours) rmSync(join(dataDir, name), { force: true });
      }
      return { release: () => close(server) };
    }
    throw new Error(`could not take the lock in ${dataDir}: other processes kept taking it (${ATTEMPTS} attempts)`);
  } finally {
    short.dispose();
  }
}

async function lockWithNamedPipe(dataDir: string): Promise<DataDirLock> {
  const pipe = `\\\\.\\pipe\\evebot-${createHash('sha256').update(dataDir.toLowerCase()).digest('hex').slice(0, 32)}`;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    try {
      const server = await listen(pipe);
      return { release: () => close(server) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      const holder = await probe(pipe);
      if (holder) throw new DataDirInUseError(dataDir, holder);
      // its owner closed it just now: try again
    }
  }
  throw new Error(`could not take the lock in ${dataDir}: other processes kept taking it (${ATTEMPTS} attempts)`);
}

function newestGeneration(dataDir: string): number {
  let newest = 0;
  for (const name of readdirSync(dataDir)) {
    const generation = GENERATION.exec(name);
    if (generation) newest = Math.max(newest, Number(generation[1]));
  }
  return newest;
}

/**
 * A directory path short enough for a socket inside it: the directory
 * itself, or for a long one a symbolic link to it in the temp directory
 * (bind and connect follow it, so the socket file is still in the data
 * directory). The link is removed once the lock is taken or refused.
 */
function shortPathTo(dataDir: string): { dir: string; dispose(): void } {
  if (Buffer.byteLength(join(dataDir, generationName(2 ** 32))) < MAX_SOCKET_PATH) return { dir: dataDir, dispose: () => undefined };
  const linkDir = mkdtempSync(join(tmpdir(), 'evebot-'));
  const link = join(linkDir, 'd');
  symlinkSync(dataDir, link, 'dir');
  return {
    dir: link,
    dispose: () => {
      unlinkSync(link);
      rmdirSync(linkDir);
    },
  };
}

/** Listens on `path`; every connection is told who holds the lock. Never keeps the process alive. */
function listen(path: string): Promise<Server> {
  const me = JSON.stringify({ pid: process.pid, program: basename(process.argv[1] ?? '') } satisfies LockHolder);
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.unref();
    socket.on('error', () => undefined);
    socket.on('close', () => connections.delete(socket));
    socket.end(`${me}\n`);
  });
  server.on('close', () => {
    for (const socket of connections) socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      server.on('error', () => undefined); // a failed answer to one caller must not end the holder
      server.unref();
      resolve(server);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Asks the socket at `path` who holds it: undefined when nobody listens
 * (the holder died, or let go), else what it says about itself (possibly
 * nothing, if it is too busy to answer in time: it is alive all the same).
 */
function probe(path: string): Promise<LockHolder | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let said = '';
    let connected = false;
    const done = (holder: LockHolder | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(holder);
    };
    const timer = setTimeout(() => done({}), PROBE_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('connect', () => (connected = true));
    socket.on('data', (chunk: string) => (said += chunk));
    socket.on('end', () => done(parseHolder(said)));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (connected) return done(parseHolder(said));
      clearTimeout(timer);
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolve(undefined);
      else if (error.code === 'EAGAIN') resolve({}); // listening, with a full backlog
      else reject(new Error(`cannot tell whether another process holds the lock ${path}: ${error.message}`, { cause: error }));
    });
  });
}

function parseHolder(text: string): LockHolder {
  try {
    const { pid, program } = JSON.parse(text) as LockHolder;
    return { ...(Number.isInteger(pid) ? { pid } : {}), ...(typeof program === 'string' && program ? { program } : {}) };
  } catch {
    return {};
  }
}
