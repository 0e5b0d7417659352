import { readFileSync } from 'node:fs';
import { projectPath } from './projectRoot.ts';

const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { name: string; version: string; homepage?: string };

export const BOT_NAME = pkg.name;
export const BOT_VERSION = pkg.version;
/** Where the project lives (package.json "homepage"); none is published yet, and the pages then link nowhere. */
export const PROJECT_URL: string | undefined = pkg.homepage;

/** What CCP asks every ESI and SSO client to send: who we are and how to reach the operator. */
export function userAgent(contact: string): string {
  return `${BOT_NAME}/${BOT_VERSION} (${contact.replace(/[\r\n()]/g, ' ').trim()})`;
}
