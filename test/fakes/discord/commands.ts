// Application command registration (bulk overwrite), with the validation
// Discord applies, so a command definition Discord would refuse fails here too.
 
import { invalidFormBody, type FieldProblem, type Reply } from './errors.ts';
import { nextSnowflake } from './snowflake.ts';
import type { FakeState } from './state.ts';

const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function checkName(problems: FieldProblem[], path: (string | number)[], name: unknown, chatInput: boolean): void {
  if (typeof name !== 'string' || name.length === 0) {
    problems.push({ path: [...path, 'name'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
  } else if (chatInput && (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase())) {
    problems.push({ path: [...path, 'name'], code: 'APPLICATION_COMMAND_INVALID_NAME', message: `Command name is invalid` });
  } else if (name.length > 32) {
    problems.push({ path: [...path, 'name'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 32 in length.' });
  }
}

function checkDescription(problems: FieldProblem[], path: (string | number)[], description: unknown): void {
  if (typeof description !== 'string' || description.length < 1 || description.length > 100) {
    problems.push({ path: [...path, 'description'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
  }
}

function checkOptions(problems: FieldProblem[], path: (string | number)[], options: unknown, depth: number): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    problems.push({ path: [...path, 'options'], code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' });
    return;
  }
  if (options.length > 25) problems.push({ path: [...path, 'options'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
  let seenOptional = false;
  const names = new Set<string>();
  options.forEach((option: any, i: number) => {
    const at = [...path, 'options', i];
    checkName(problems, at, option?.name, true);
    checkDescription(problems, at, option?.description);
    if (names.has(option?.name)) problems.push({ path: [...at, 'name'], code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', message: 'Option name already exists' });
    names.add(option?.name);
    const isSub = option?.type === 1 || option?.type === 2;
    if (isSub) {
      // Groups (2) may hold subcommands (1); subcommands hold plain options; nesting is at most 2 deep.
      if (depth >= 2 || (depth === 1 && option.type === 2)) {
        problems.push({ path: [...at, 'type'], code: 'APPLICATION_COMMAND_OPTION_TYPE_INVALID', message: 'Sub-command and sub-command group option types are mutually exclusive to all other types' });
      }
      checkOptions(problems, at, option.options, depth + 1);
      return;
    }
    if (option?.required) {
      if (seenOptional) problems.push({ path: [...at, 'required'], code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', message: 'Required options must be placed before non-required options' });
    } else {
      seenOptional = true;
    }
    if (Array.isArray(option?.choices)) {
      if (option.choices.length > 25) problems.push({ path: [...at, 'choices'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
      if (option.autocomplete) problems.push({ path: [...at, 'autocomplete'], code: 'APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE', message: 'Autocomplete cannot be enabled with choices' });
    }
  });
}

/** Validate one command of a bulk overwrite; problems use paths rooted at its index. */
function checkCommand(problems: FieldProblem[], index: number, command: any): void {
  const type = command?.type ?? 1;
  const chatInput = type === 1;
  checkName(problems, [index], command?.name, chatInput);
  if (chatInput) {
    checkDescription(problems, [index], command?.description);
    checkOptions(problems, [index], command?.options, 0);
  } else if (command?.description) {
    problems.push({ path: [index, 'description'], code: 'APPLICATION_COMMAND_INVALID_DESCRIPTION', message: 'Context menu commands cannot have description' });
  }
}

/** PUT /applications/:app/commands or .../guilds/:guild/commands. */
export function bulkOverwrite(state: FakeState, scope: string, body: unknown): Reply {
  if (!Array.isArray(body)) return invalidFormBody([{ path: [], code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' }]);
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  body.forEach((command: any, index: number) => {
    checkCommand(problems, index, command);
    const key = `${command?.type ?? 1}:${command?.name}`;
    if (seen.has(key)) problems.push({ path: [index, 'name'], code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: `Application command names must be unique` });
    seen.add(key);
  });
  if (body.filter((c: any) => (c?.type ?? 1) === 1).length > 100) problems.push({ path: [], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 100 or fewer in length.' });
  if (problems.length > 0) return invalidFormBody(problems);

  // Discord keeps a command's id when one with the same name and type is overwritten.
  const previous = new Map((state.commandsStored.get(scope) ?? []).map((c) => [`${c.type}:${c.name}`, c.id as string]));
  const stored = body.map((command: any) => storedCommand(state, scope, command, previous.get(`${command.type ?? 1}:${command.name}`)));
  state.commandsPut.set(scope, structuredClone(body));
  state.commandsStored.set(scope, stored);
  state.commandRegistrations += 1;
  state.signal.notify();
  return { status: 200, body: stored };
}

function storedCommand(state: FakeState, scope: string, command: any, id?: string): any {
  const type = command.type ?? 1;
  return {
    id: id ?? nextSnowflake(),
    application_id: state.applicationId,
    version: nextSnowflake(),
    default_member_permissions: command.default_member_permissions ?? null,
    type,
    name: command.name,
    name_localizations: command.name_localizations ?? null,
    description: type === 1 ? command.description : '',
    description_localizations: command.description_localizations ?? null,
    ...(command.options ? { options: command.options } : {}),
    ...(scope === 'global' ? { dm_permission: command.dm_permission ?? true } : { guild_id: scope }),
    contexts: command.contexts ?? null,
    integration_types: command.integration_types ?? [0],
    nsfw: command.nsfw ?? false,
  };
}

/** POST of one command: create or replace by name, as Discord does. */
export function upsertCommand(state: FakeState, scope: string, body: any): Reply {
  const problems: FieldProblem[] = [];
  checkCommand(problems, 0, body);
  if (problems.length > 0) return invalidFormBody(problems.map((p) => ({ ...p, path: p.path.slice(1) })));
  const list = state.commandsStored.get(scope) ?? [];
  const index = list.findIndex((c) => c.name === body.name && c.type === (body.type ?? 1));
  const command = storedCommand(state, scope, body, index >= 0 ? list[index].id : undefined);
  if (index >= 0) list[index] = command;
  else list.push(command);
  state.commandsStored.set(scope, list);
  state.commandsPut.set(scope, [...(state.commandsPut.get(scope) ?? []).filter((c: any) => c?.name !== body.name), structuredClone(body)]);
  state.signal.notify();
  return { status: index >= 0 ? 200 : 201, body: command };
}

export function deleteCommand(state: FakeState, scope: string, commandId: string): Reply {
  const list = state.commandsStored.get(scope) ?? [];
  const command = list.find((c) => c.id === commandId);
  if (!command) return { status: 404, body: { message: 'Unknown application command', code: 10063 } };
  state.commandsStored.set(scope, list.filter((c) => c !== command));
  state.commandsPut.set(scope, (state.commandsPut.get(scope) ?? []).filter((c: any) => c?.name !== command.name));
  state.signal.notify();
  return { status: 204 };
}

/** The id to put in an interaction's data.id: the registered one when known (guild scope first). */
export function commandIdFor(state: FakeState, name: string, guildId: string | undefined): { id: string; guildId?: string } {
  if (guildId) {
    const guildCommand = state.commandsStored.get(guildId)?.find((c) => c.name === name && c.type === 1);
    if (guildCommand) return { id: guildCommand.id, guildId };
  }
  const global = state.commandsStored.get('global')?.find((c) => c.name === name && c.type === 1);
  return { id: global?.id ?? nextSnowflake() };
}
