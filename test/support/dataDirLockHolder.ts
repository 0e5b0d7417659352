// A process that takes a data directory's lock for a test: it loads, says
// {"ready":true}, waits for "go" on stdin (so that several processes can be
// made to try at the same moment), then says {"held":true} and holds the lock
// until stdin closes, or says {"refused":"<message>"} and exits 3.
import { createInterface } from 'node:readline';
import { DataDirInUseError, lockDataDir } from '../../src/db/dataDirLock.ts';

const dataDir = process.argv[2]!;
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const lines = createInterface({ input: process.stdin });
say({ ready: true });
for await (const line of lines) {
  if (line !== 'go') continue;
  try {
    const lock = await lockDataDir(dataDir);
    say({ held: true });
    lines.once('close', () => void lock.release().then(() => process.exit(0)));
  } catch (error) {
    say(error instanceof DataDirInUseError ? { refused: error.message } : { failed: String(error) });
    process.exit(3);
  }
}
