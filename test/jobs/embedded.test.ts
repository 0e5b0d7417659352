// The embedded database's queue (PGlite, one connection through the bot's Prisma client).
import { queueBehaviour } from './behaviour.ts';
import { embeddedBed } from './harness.ts';

queueBehaviour('job queue on the embedded database', embeddedBed);
