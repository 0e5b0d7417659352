import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * node's arguments exactly as `npm run <script>` gives them (package.json), with
 * paths made absolute: the tests run what users run, the compiled JavaScript in
 * dist/ (test/support/globalSetup.ts builds it from the current sources first).
 */
export function npmScriptArguments(script: string): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string | undefined> };
  const line = pkg.scripts[script];
  if (line === undefined) throw new Error(`package.json has no "${script}" script`);
  const [command, ...args] = line.split(/\s+/);
  if (command !== 'node') throw new Error(`npm run ${script} must run node, not ${command}`);
  return args.map((arg) => (/\.[cm]?[jt]s$/.test(arg) ? join(ROOT, arg) : arg));
}

export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

/**
 * The real bot, started as `npm start` starts it (node dist/src/main.js), or
 * as another npm script does (`script`, e.g. start:sharded), in an empty
 * working directory so a developer's .env cannot leak in. The directory is
 * removed once the process has exited: by the time `exited` resolves it is gone.
 */
export class BotProcess {
  readonly logs: LogLine[] = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;
  readonly #waiters = new Set<() => void>();

  constructor(env: Record<string, string>, options: { script?: string } = {}) {
    // EVEBOT_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") reaches node itself: for profiling benchmarks.
    const nodeArgs = process.env.EVEBOT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const cwd = mkdtempSync(join(tmpdir(), 'evebot-'));
    const removeCwd = () => rmSync(cwd, { recursive: true, force: true });
    this.#child = spawn(process.execPath, [...nodeArgs, ...npmScriptArguments(options.script ?? 'start')], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.#child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.logs.push({ msg: line, unparsed: true });
        }
      }
      this.#notify();
    });
    this.#child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.#notify();
    });
    this.exited = new Promise((resolve) =>
      this.#child.once('exit', (code) => {
        try {
          removeCwd();
        } finally {
          this.#notify();
          resolve(code);
        }
      }),
    );
    // A process that never started emits no 'exit'; the error stays as loud as without this listener.
    this.#child.once('error', (error) => {
      if (this.#child.pid === undefined) removeCwd();
      throw error;
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Resolves with the first log line matching, fails on timeout or if the process exits first. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.logs.find(predicate);
        if (found) return finish(() => resolve(found));
        if (!this.running) return finish(() => reject(new Error(`bot exited (${this.#child.exitCode}) before the expected log line.\nstderr: ${this.stderr}\nstdout tail: ${this.stdout.slice(-3000)}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for a log line.\nstderr: ${this.stderr}\nstdout tail: ${this.stdout.slice(-3000)}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Resolves with the first `count` log lines matching (e.g. one per child of the sharded launcher). */
  async waitForLogs(predicate: (line: LogLine) => boolean, count: number, timeoutMs = 30_000): Promise<LogLine[]> {
    await this.waitForLog(() => this.logs.filter(predicate).length >= count, timeoutMs);
    return this.logs.filter(predicate).slice(0, count);
  }

  waitForReady(timeoutMs = 45_000): Promise<LogLine> {
    return this.waitForLog((line) => line.msg === 'bot ready', timeoutMs);
  }

  /** Sends the signal and waits for the exit code (kills after the timeout). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> {
    if (!this.running) return this.exited;
    this.#child.kill(signal);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** A port that was free a moment ago (the bot's callback URL must name it before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function randomEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}
