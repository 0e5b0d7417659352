// Request bodies as discord.js sends them: JSON, or multipart/form-data with
// `payload_json` plus `files[n]` when attachments are uploaded.
 
import type { IncomingMessage } from 'node:http';
import type { RecordedFile } from './types.ts';

export interface ParsedBody {
  body: any;
  files: RecordedFile[];
  /** set when the body could not be parsed: the fake answers 400 like Discord */
  error?: string;
}

export async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function parseBody(raw: Buffer, contentType: string | undefined): Promise<ParsedBody> {
  if (raw.length === 0) return { body: undefined, files: [] };
  const type = contentType?.toLowerCase() ?? '';
  if (type.startsWith('multipart/form-data')) {
    try {
      // undici's Response implements the multipart parser; no extra package needed.
      const form = await new Response(raw, { headers: { 'content-type': contentType! } }).formData();
      const files: RecordedFile[] = [];
      let body: any;
      for (const [field, value] of form.entries()) {
        if (typeof value === 'string') {
          if (field === 'payload_json') body = JSON.parse(value);
          continue;
        }
        files.push({ field, name: value.name, contentType: value.type || 'application/octet-stream', data: Buffer.from(await value.arrayBuffer()) });
      }
      return { body, files };
    } catch (error) {
      return { body: undefined, files: [], error: `bad multipart body: ${(error as Error).message}` };
    }
  }
  const text = raw.toString('utf8');
  if (type.startsWith('application/json')) {
    try {
      return { body: JSON.parse(text), files: [] };
    } catch {
      return { body: text, files: [], error: 'bad JSON body' };
    }
  }
  return { body: text, files: [] };
}
