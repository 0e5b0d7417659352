/**
 * Clickable command mentions (`</link:123>`): Discord renders them as a
 * button that fills in the command. They need the id Discord gave each
 * command at registration; until those are known (the first seconds after a
 * start), a mention is the plain `/name`, which still reads right.
 */
export interface RegisteredCommand {
  name: string;
  id: string;
  /** names of its subcommands, which a mention may name too (`</audit summary:123>`) */
  subcommands?: string[];
}

const SNOWFLAKE = /^\d{1,20}$/;
/** `/name` or `/name sub` standing alone in text: not part of a URL or path. */
const SLASH_COMMAND = /(^|[\s(*_>"'“])\/([a-z][\w-]{0,31})(?: ([a-z][\w-]{0,31}))?(?=$|[\s.,:;!?)*_"'”])/g;

export class CommandMentions {
  #commands = new Map<string, { id: string; subcommands: Set<string> }>();

  /** Takes the ids Discord returned (or the stored ones); anything malformed is ignored. */
  update(commands: readonly RegisteredCommand[]): void {
    const next = new Map<string, { id: string; subcommands: Set<string> }>();
    for (const command of commands) {
      if (!SNOWFLAKE.test(command.id) || !/^[a-z][\w-]{0,31}$/.test(command.name)) continue;
      next.set(command.name, { id: command.id, subcommands: new Set(command.subcommands ?? []) });
    }
    this.#commands = next;
  }

  get known(): boolean {
    return this.#commands.size > 0;
  }

  /** `</name:id>` (or `</name sub:id>`), or `/name` while the id is unknown. */
  mention(name: string, subcommand?: string): string {
    const full = subcommand ? `${name} ${subcommand}` : name;
    const command = this.#commands.get(name);
    if (!command || (subcommand && !command.subcommands.has(subcommand))) return `/${full}`;
    return `</${full}:${command.id}>`;
  }

  /**
   * Every `/name` of a known command in a text becomes its mention. For texts
   * written in the services (error messages, DMs), which cannot know the ids.
   */
  linkify(text: string): string {
    if (!this.known) return text;
    return text.replace(SLASH_COMMAND, (whole, before: string, name: string, sub: string | undefined) => {
      const command = this.#commands.get(name);
      if (!command) return whole;
      if (sub && command.subcommands.has(sub)) return `${before}${this.mention(name, sub)}`;
      return `${before}${this.mention(name)}${sub ? ` ${sub}` : ''}`;
    });
  }
}

/** What a registration answer (or the stored copy of it) says about each command. */
export function registeredCommands(answer: unknown): RegisteredCommand[] {
  if (!Array.isArray(answer)) return [];
  return answer.flatMap((entry: unknown) => {
    const c = entry as { id?: unknown; name?: unknown; type?: unknown; options?: unknown; subcommands?: unknown };
    if (typeof c?.id !== 'string' || typeof c.name !== 'string' || (c.type !== undefined && c.type !== 1)) return [];
    const subcommands = Array.isArray(c.subcommands)
      ? c.subcommands.filter((s): s is string => typeof s === 'string')
      : Array.isArray(c.options)
        ? c.options.flatMap((o: { type?: unknown; name?: unknown }) => (o?.type === 1 && typeof o.name === 'string' ? [o.name] : []))
        : [];
    return [{ name: c.name, id: c.id, subcommands }];
  });
}
