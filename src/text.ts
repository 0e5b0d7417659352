/** Escapes Discord's inline markdown in a name: names never start a line, so headings and quotes cannot happen. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_~`|[\]()])/g, '\\$1');
}
