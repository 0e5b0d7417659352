import pg from 'pg';

export interface MovedTable {
  table: string;
  rows: number;
}

export class TargetNotEmptyError extends Error {
  constructor(table: string) {
    super(`the target database already holds rows in "${table}": moving needs an empty database (migrated or new)`);
    this.name = 'TargetNotEmptyError';
  }
}

interface ForeignKey {
  table: string;
  column: string;
  references: string;
  nullable: boolean;
}

const BATCH = 500;

/**
 * Copies every row of every table in `public` (except Prisma's migration
 * record, which each database keeps for itself) from one database to
 * another with the same schema. Values travel as text, which PostgreSQL
 * turns back into exactly the same values (bytea, arrays, json, timestamps).
 * Tables go in foreign-key order; a nullable foreign key that closes a cycle
 * (a user's main character) is filled in after every row is there. All in
 * one transaction on the target: it gets everything or nothing.
 */
export async function copyAllRows(sourceUrl: string, targetUrl: string): Promise<MovedTable[]> {
  // Every value as its text form, whatever its type.
  const asText = { getTypeParser: () => (value: string) => value };
  const source = new pg.Client({ connectionString: sourceUrl, types: asText });
  const target = new pg.Client({ connectionString: targetUrl, types: asText });
  await source.connect();
  try {
    await target.connect();
    try {
      const tables = await userTables(source);
      const keys = await foreignKeys(source);
      const order = insertOrder(tables, keys);
      await target.query('BEGIN');
      try {
        for (const table of order) {
          const { rows } = await target.query(`SELECT 1 FROM ${ident(table)} LIMIT 1`);
          if (rows.length > 0) throw new TargetNotEmptyError(table);
        }
        const moved: MovedTable[] = [];
        const deferred = keys.filter((k) => k.nullable);
        for (const table of order) {
          const columns = await columnsOf(source, table);
          const late = deferred.filter((k) => k.table === table).map((k) => k.column);
          const { rows } = await source.query<Record<string, string | null>>(`SELECT ${columns.map(ident).join(', ')} FROM ${ident(table)}`);
          for (let start = 0; start < rows.length; start += BATCH) {
            const batch = rows.slice(start, start + BATCH);
            const values: (string | null)[] = [];
            const tuples = batch.map((row) => {
              const placeholders = columns.map((column) => {
                values.push(late.includes(column) ? null : (row[column] ?? null));
                return `$${values.length}`;
              });
              return `(${placeholders.join(', ')})`;
            });
            await target.query(`INSERT INTO ${ident(table)} (${columns.map(ident).join(', ')}) VALUES ${tuples.join(', ')}`, values);
          }
          moved.push({ table, rows: rows.length });
        }
        // The deferred foreign keys, now that what they point to exists.
        for (const key of deferred) {
          const primary = await primaryKeyOf(source, key.table);
          const { rows } = await source.query<Record<string, string>>(
            `SELECT ${primary.map(ident).join(', ')}, ${ident(key.column)} AS value FROM ${ident(key.table)} WHERE ${ident(key.column)} IS NOT NULL`,
          );
          for (const row of rows) {
            const where = primary.map((column, i) => `${ident(column)} = $${i + 2}`).join(' AND ');
            await target.query(`UPDATE ${ident(key.table)} SET ${ident(key.column)} = $1 WHERE ${where}`, [row.value, ...primary.map((c) => row[c])]);
          }
        }
        // Sequences continue after the copied ids.
        const sequences = await source.query<{ table: string; column: string }>(`
          SELECT c.table_name AS table, c.column_name AS column FROM information_schema.columns c
          WHERE c.table_schema = 'public' AND c.column_default LIKE 'nextval(%'`);
        for (const { table, column } of sequences.rows) {
          if (!order.includes(table)) continue;
          await target.query(
            `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX(${ident(column)}) FROM ${ident(table)}), 0) + 1, false)`,
            [`public.${table}`, column],
          );
        }
        await target.query('COMMIT');
        return moved;
      } catch (error) {
        await target.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      await target.end();
    }
  } finally {
    await source.end();
  }
}

async function userTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string }>(`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
    ORDER BY table_name`);
  return rows.map((r) => r.table_name);
}

async function columnsOf(client: pg.Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r) => r.column_name);
}

async function primaryKeyOf(client: pg.Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ column_name: string }>(
    `SELECT a.attname AS column_name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
     WHERE i.indrelid = $1::regclass AND i.indisprimary`,
    [`public.${ident(table)}`],
  );
  return rows.map((r) => r.column_name);
}

async function foreignKeys(client: pg.Client): Promise<ForeignKey[]> {
  const { rows } = await client.query<{ table: string; column: string; references: string; nullable: string }>(`
    SELECT cl.relname AS table, a.attname AS column, rcl.relname AS references, (NOT a.attnotnull)::text AS nullable
    FROM pg_constraint c
    JOIN pg_class cl ON cl.oid = c.conrelid
    JOIN pg_class rcl ON rcl.oid = c.confrelid
    JOIN pg_namespace n ON n.oid = cl.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND n.nspname = 'public'`);
  return rows.map((r) => ({ table: r.table, column: r.column, references: r.references, nullable: r.nullable === 'true' }));
}

/** Tables ordered so that every NOT NULL foreign key points to a table already filled. */
function insertOrder(tables: string[], keys: ForeignKey[]): string[] {
  const needs = new Map(tables.map((t) => [t, new Set(keys.filter((k) => k.table === t && !k.nullable && k.references !== t).map((k) => k.references))]));
  const order: string[] = [];
  while (order.length < tables.length) {
    const ready = tables.filter((t) => !order.includes(t) && [...needs.get(t)!].every((dep) => order.includes(dep)));
    if (ready.length === 0) throw new Error('the schema has a cycle of NOT NULL foreign keys; it cannot be copied table by table');
    order.push(...ready);
  }
  return order;
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
