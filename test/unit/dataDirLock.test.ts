import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../../src/db/dataDirLock.ts';
import { ROOT } from '../support/botProcess.ts';

type Said = { ready?: true; held?: true; refused?: string; failed?: string };

/** Another process (node + tsx, as the bot runs) that takes the lock when told to go. */
class Contender {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly #said: Said[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(dataDir: string) {
    this.child = spawn(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), join(ROOT, 'test/support/dataDirLockHolder.ts'), dataDir], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.#said.push(JSON.parse(line) as Said);
      for (const waiter of this.#waiters) waiter();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The first line matching, once it is said. */
  said(predicate: (said: Said) => boolean): Promise<Said> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.#said.find(predicate);
        if (!found) return;
        this.#waiters.delete(check);
        resolve(found);
      };
      this.#waiters.add(check);
      void this.exited.then(() => setImmediate(() => reject(new Error(`contender exited without saying it: ${JSON.stringify(this.#said)}`))));
      check();
    });
  }

  async take(): Promise<Said> {
    await this.said((s) => !!s.ready);
    this.child.stdin!.write('go\n');
    return this.said((s) => !s.ready);
  }

  kill(): Promise<number | null> {
    this.child.kill('SIGKILL');
    return this.exited;
  }
}

describe('the data directory lock', () => {
  let dataDir: string;
  const contenders: Contender[] = [];
  const contender = () => {
    const c = new Contender(dataDir);
    contenders.push(c);
    return c;
  };
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'evebot-lock-test-'));
  });
  afterEach(async () => {
    await Promise.all(contenders.splice(0).map((c) => c.kill()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('given a live holder in another process, then taking the lock fails naming its pid, and it holds on', async () => {
    const holder = contender();
    expect(await holder.take()).toEqual({ held: true });

    const error = await lockDataDir(dataDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirInUseError);
    expect((error as DataDirInUseError).holder).toEqual({ pid: holder.pid, program: 'dataDirLockHolder.ts' });
    expect((error as Error).message).toBe(
      `Another bot process (pid ${holder.pid}, dataDirLockHolder.ts) is using the embedded database in ${dataDir}. Stop it first, or give this process another DATA_DIR.`,
    );
    const second = contender();
    expect(await second.take()).toEqual({ refused: expect.stringContaining(`(pid ${holder.pid}, `) as string });
    expect(await second.exited).toBe(3);
    expect(holder.child.exitCode).toBeNull();
  });

  it('given the holder was killed with SIGKILL, then the next one takes the lock at once', async () => {
    const holder = contender();
    expect(await holder.take()).toEqual({ held: true });
    await holder.kill();
    expect(readdirSync(dataDir)).toEqual(['bot.lock.1']); // the dead holder's socket is still there

    const lock = await lockDataDir(dataDir);
    expect(readdirSync(dataDir)).toEqual(['bot.lock.2']);
    await lock.release();
  });

  it('given the holder let go, then the lock is free for this process and the next', async () => {
    const lock = await lockDataDir(dataDir);
    await expect(lockDataDir(dataDir)).rejects.toThrow(`(pid ${process.pid}, `);
    await lock.release();
    const again = await lockDataDir(dataDir);
    await again.release();
    expect(await contender().take()).toEqual({ held: true });
  });

  it('given a bot.pid left by the pid-file version naming a live unrelated process, then it does not block and is removed', async () => {
    writeFileSync(join(dataDir, 'bot.pid'), String(process.ppid)); // alive: the test runner
    expect(await contender().take()).toEqual({ held: true });
    expect(existsSync(join(dataDir, 'bot.pid'))).toBe(false);
  });

  it('given a bot.pid of a previous version\'s bot still running (a node process running main.js), then it is refused during the upgrade, and free once that bot stops', async () => {
    // What the previous version's bot looks like to /proc: node running …/main.js.
    const script = join(dataDir, 'main.js');
    writeFileSync(script, 'setInterval(() => {}, 1000);');
    const oldBot = spawn(process.execPath, [script], { stdio: 'ignore' });
    try {
      writeFileSync(join(dataDir, 'bot.pid'), String(oldBot.pid));
      const refused = await lockDataDir(dataDir).then(
        async (lock) => {
          await lock.release();
          return undefined;
        },
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(DataDirInUseError);
      expect((refused as Error).message).toContain(`pid ${oldBot.pid}, a previous version`);
    } finally {
      oldBot.kill('SIGKILL');
      await new Promise((resolve) => oldBot.once('exit', resolve));
    }
    const lock = await lockDataDir(dataDir);
    await lock.release();
    expect(existsSync(join(dataDir, 'bot.pid'))).toBe(false);
  });

  it('given a data directory whose path is too long for a socket path, then the lock still works, in the directory', async () => {
    const longDir = join(dataDir, 'a-rather-long-directory-name-'.repeat(4), 'data');
    mkdirSync(longDir, { recursive: true });
    expect(Buffer.byteLength(join(longDir, 'bot.lock.1'))).toBeGreaterThan(108);
    const holder = new Contender(longDir);
    contenders.push(holder);
    expect(await holder.take()).toEqual({ held: true });
    expect(readdirSync(longDir)).toEqual(['bot.lock.1']);
    await expect(lockDataDir(longDir)).rejects.toThrow(`(pid ${holder.pid}, `);
    await holder.kill();
    const lock = await lockDataDir(longDir);
    await lock.release();
  });

  it('given a dead holder and six processes taking over at the same moment, then exactly one holds the lock', async () => {
    const dead = contender();
    expect(await dead.take()).toEqual({ held: true });
    await dead.kill();

    const racers = Array.from({ length: 6 }, () => contender());
    await Promise.all(racers.map((r) => r.said((s) => !!s.ready)));
    const results = await Promise.all(racers.map((r) => r.take()));
    expect(results.filter((r) => r.held)).toHaveLength(1);
    for (const r of results.filter((r) => !r.held)) expect(r.refused).toMatch(/^Another bot process \(pid \d+, dataDirLockHolder\.ts\) is using/);
  }, 60_000);
});
