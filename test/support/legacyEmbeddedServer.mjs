// The embedded database exactly as the bot ran it through issue 14, in its own
// process (so no V8 flag or setting of today's version reaches it):
// PGlite with its default start parameters on DATA_DIR/pgdata, served on a
// Unix socket. Prints "ready" once it accepts connections; stops cleanly when
// its standard input closes.
//   node test/support/legacyEmbeddedServer.mjs <DATA_DIR> <socket directory>
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const [dataDir, socketDir] = process.argv.slice(2);
const db = await PGlite.create({ dataDir: join(dataDir, 'pgdata') });
const server = new PGLiteSocketServer({ db, path: join(socketDir, '.s.PGSQL.5432'), maxConnections: 3 });
await server.start();
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.stop();
  await db.close();
  process.exit(0);
});
