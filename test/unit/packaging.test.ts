import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The images cannot be built here (no image pulls): these check what can be checked without Docker.
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const dockerfile = read('Dockerfile');
/** Instructions with their continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const runtime = instructions.slice(instructions.findLastIndex((line) => line.startsWith('FROM ')));

interface ComposeService {
  image?: string;
  build?: unknown;
  env_file?: string | string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
}
const compose = load(read('compose.yaml')) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };

describe('Dockerfile', () => {
  it('then it builds in one stage (npm ci, npm run build) and runs dist/ on node:24-slim as a non-root user with production dependencies', () => {
    expect(instructions.filter((line) => line.startsWith('FROM '))).toEqual(['FROM node:24-slim AS build', 'FROM node:24-slim']);
    expect(instructions).toContain('RUN npm ci');
    expect(instructions).toContain('RUN npm run build');
    expect(runtime.some((line) => /^RUN npm ci --omit=dev\b/.test(line))).toBe(true);
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    // Read at run time from the project directory.
    expect(runtime).toContain('COPY package.json package-lock.json ./');
    expect(runtime).toContain('COPY prisma ./prisma');
    expect(runtime).toContain('USER node');
    expect(runtime).toContain('VOLUME /data');
    expect(runtime).toContain('EXPOSE 3000');
    expect(runtime.some((line) => line.startsWith('ENV ') && line.includes('DATA_DIR=/data'))).toBe(true);
    expect(runtime.at(-1)).toBe('CMD ["node", "--max-semi-space-size=2", "--optimize-for-size", "--expose-gc", "dist/src/main.js"]');
  });

  it("then its CMD runs node with the same flags and entry point as package.json's start script", () => {
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
    const cmd = JSON.parse(/^CMD (\[.*\])$/.exec(runtime.at(-1)!)![1]!) as string[];
    expect(start[0]).toBe('node');
    expect(cmd).toEqual(start);
  });

  describe('HEALTHCHECK', () => {
    const line = runtime.find((l) => l.startsWith('HEALTHCHECK '))!;
    const command = JSON.parse(/\bCMD (\[.*\])$/.exec(line)![1]!) as string[];
    let server: Server;
    let status = 200;
    let port = 0;
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.statusCode = req.url === '/healthz' ? status : 404;
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));
    // Asynchronously: the server that answers runs in this process.
    const check = (env: Record<string, string>) => {
      const child = spawn(process.execPath, command.slice(1), { env: { ...process.env, ...env }, stdio: 'ignore' });
      return new Promise<number | null>((resolve) => child.on('exit', resolve));
    };

    it('then it runs node (the slim image has no curl) against /healthz on HTTP_PORT: 0 when it answers 200, 1 on an error status or no answer', async () => {
      expect(command[0]).toBe('node');
      expect(line).toMatch(/--interval=\d+s --timeout=\d+s --start-period=\d+s --retries=\d+/);
      status = 200;
      expect(await check({ HTTP_PORT: String(port) })).toBe(0);
      status = 503;
      expect(await check({ HTTP_PORT: String(port) })).toBe(1);
      // Nothing listening (a port just freed).
      const gone = createServer();
      await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
      const freed = (gone.address() as AddressInfo).port;
      await new Promise((resolve) => gone.close(resolve));
      expect(await check({ HTTP_PORT: String(freed) })).toBe(1);
    });
  });

  it('then .dockerignore keeps secrets, local state and installed modules out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['.env', '.env.*', 'node_modules', 'dist', 'data', '.git', 'src/db/generated']) expect(ignored, entry).toContain(entry);
  });
});

describe('compose.yaml', () => {
  const { bot, postgres } = compose.services;

  it('then the bot is built here, reads .env, and waits for a healthy PostgreSQL 17 that it reaches by its service name', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['bot', 'postgres']);
    expect(bot!.build).toBe('.');
    expect(bot!.env_file).toBe('.env');
    expect(bot!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(bot!.environment!.DATABASE_URL).toMatch(/^postgresql:\/\/evebot:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/evebot$/);
    // Pinned over .env: the port the image serves, checks and publishes.
    expect(bot!.environment!.HTTP_PORT).toBe('3000');
    expect(bot!.environment!.HTTP_HOST).toBe('0.0.0.0');
    // Loopback only: the public port behind the proxy, and metrics on their own port.
    expect(bot!.ports).toEqual(['127.0.0.1:3000:3000', '127.0.0.1:9464:9464']);
    expect(bot!.environment?.METRICS_PORT).toBe('9464');
    expect(bot!.volumes).toEqual(['bot-data:/data']);
  });

  it('then PostgreSQL 17 has a healthcheck, a required password and a named volume', () => {
    expect(postgres!.image).toBe('postgres:17');
    expect(postgres!.healthcheck!.test).toEqual(['CMD', 'pg_isready', '--username=evebot', '--dbname=evebot']);
    expect(postgres!.environment).toMatchObject({ POSTGRES_USER: 'evebot', POSTGRES_DB: 'evebot', POSTGRES_PASSWORD: expect.stringMatching(/^\$\{POSTGRES_PASSWORD:\?/) });
    expect(postgres!.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['bot-data', 'postgres-data']);
  });
});
