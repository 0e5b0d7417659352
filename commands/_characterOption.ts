import type { AutocompleteInteraction } from 'discord.js';
import type { CommandContext } from '../src/bot/command.ts';

/** Autocomplete for a "character" option: only the asking user's own characters. */
export async function ownCharacterChoices(interaction: AutocompleteInteraction, { services }: CommandContext) {
  const typed = String(interaction.options.getFocused());
  const found = await services.characters.search(BigInt(interaction.user.id), typed);
  return found.map((c) => ({ name: c.name, value: String(c.id) }));
}
