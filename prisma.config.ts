import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI (generate; migrate where its native engine exists).
// The bot itself applies migrations with scripts/migrate.ts (WebAssembly engine).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
