/**
 * Screenshots of local HTML pages with a headless Chromium, cropped to their
 * content: the page is shot with a generous height, then the rows of
 * background colour at the bottom are cut off (a tiny PNG step, no library).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { PAGE_BACKGROUND, renderMessagePage, type MessagePayload, type RenderOptions } from './discordRender.ts';

const run = promisify(execFile);

/** CHROMIUM from the environment, else the first Chromium or Chrome on the PATH. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

export interface ShotOptions {
  width: number;
  /** background colour of the page as [r, g, b]: bottom rows of exactly this colour are cut */
  background: [number, number, number];
  /** background rows kept below the content (default 12) */
  padding?: number;
  /** first height tried; doubled while the content reaches the bottom (default 2000) */
  height?: number;
  /** device pixels per CSS pixel (default 1: small files) */
  scale?: number;
}

/** Screenshots `htmlPath` into `pngPath`, cropped below the content. Returns the final height in pixels. */
export async function screenshotHtml(chromium: string, htmlPath: string, pngPath: string, options: ShotOptions): Promise<number> {
  const scale = options.scale ?? 1;
  for (let height = options.height ?? 2000; ; height *= 2) {
    const profile = mkdtempSync(join(tmpdir(), 'evebot-chromium-'));
    try {
      await run(
        chromium,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-extensions',
          '--mute-audio',
          `--user-data-dir=${profile}`,
          '--hide-scrollbars',
          `--force-device-scale-factor=${scale}`,
          `--window-size=${options.width},${height}`,
          `--screenshot=${pngPath}`,
          pathToFileURL(htmlPath).href,
        ],
        { timeout: 60_000 },
      );
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
    const png = decodePng(readFileSync(pngPath));
    const last = lastContentRow(png, options.background);
    // Content down to the last row: the page may be longer than the window.
    if (last >= png.height - 1 && height < 16_000) continue;
    const keep = Math.min(png.height, last + 1 + (options.padding ?? 12) * scale);
    writeFileSync(pngPath, cropPng(png, keep));
    return keep;
  }
}

/**
 * A message payload as a PNG, the way Discord's dark theme shows it at
 * `options.width` (default 390, a phone). The page is written to `htmlPath`
 * (default: beside the PNG). Without a Chromium only the HTML is written and
 * the height is undefined.
 */
export async function screenshotMessage(
  payload: MessagePayload,
  pngPath: string,
  options: RenderOptions & { htmlPath?: string; chromium?: string } = {},
): Promise<{ htmlPath: string; height: number | undefined }> {
  const width = options.width ?? 390;
  const htmlPath = options.htmlPath ?? pngPath.replace(/\.png$/, '') + '.html';
  writeFileSync(htmlPath, renderMessagePage(payload, { ...options, width }));
  const chromium = options.chromium ?? findChromium();
  if (!chromium) return { htmlPath, height: undefined };
  return { htmlPath, height: await screenshotHtml(chromium, htmlPath, pngPath, { width, background: PAGE_BACKGROUND }) };
}

// ---- a minimal PNG reader/writer: 8-bit RGB or RGBA, not interlaced (what Chromium writes) ----

interface Png {
  width: number;
  height: number;
  /** the IHDR chunk's data */
  header: Buffer;
  bytesPerPixel: number;
  /** the decompressed scanlines, each with its filter byte */
  filtered: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function decodePng(file: Buffer): Png {
  if (!file.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  let header: Buffer | undefined;
  const data: Buffer[] = [];
  for (let offset = 8; offset < file.length; ) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    const body = file.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = Buffer.from(body);
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  if (!header) throw new Error('PNG without IHDR');
  const [depth, colorType, , , interlace] = header.subarray(8, 13);
  if (depth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0) {
    throw new Error(`unsupported PNG (bit depth ${depth}, colour type ${colorType}, interlace ${interlace})`);
  }
  return { width: header.readUInt32BE(0), height: header.readUInt32BE(4), header, bytesPerPixel: colorType === 6 ? 4 : 3, filtered: inflateSync(Buffer.concat(data)) };
}

/** Undoes the PNG row filters; returns the pixels row after row. */
function unfilter(png: Png): Buffer {
  const stride = png.width * png.bytesPerPixel;
  const bpp = png.bytesPerPixel;
  const out = Buffer.alloc(stride * png.height);
  for (let y = 0; y < png.height; y += 1) {
    const filter = png.filtered[y * (stride + 1)]!;
    const source = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x += 1) {
      const raw = png.filtered[source + x]!;
      const left = x >= bpp ? out[row + x - bpp]! : 0;
      const up = y > 0 ? out[row - stride + x]! : 0;
      const upLeft = y > 0 && x >= bpp ? out[row - stride + x - bpp]! : 0;
      let value: number;
      switch (filter) {
        case 0:
          value = raw;
          break;
        case 1:
          value = raw + left;
          break;
        case 2:
          value = raw + up;
          break;
        case 3:
          value = raw + ((left + up) >> 1);
          break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left);
          const pb = Math.abs(p - up);
          const pc = Math.abs(p - upLeft);
          value = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default:
          throw new Error(`bad PNG filter ${filter}`);
      }
      out[row + x] = value & 0xff;
    }
  }
  return out;
}

/** The index of the lowest row holding a pixel of another colour than `background` (-1: none). */
export function lastContentRow(png: Png, background: [number, number, number]): number {
  const pixels = unfilter(png);
  const stride = png.width * png.bytesPerPixel;
  for (let y = png.height - 1; y >= 0; y -= 1) {
    for (let x = 0; x < png.width; x += 1) {
      const at = y * stride + x * png.bytesPerPixel;
      if (pixels[at] !== background[0] || pixels[at + 1] !== background[1] || pixels[at + 2] !== background[2]) return y;
    }
  }
  return -1;
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** The top `rows` rows as a PNG. Filters only look up and left, so the filtered rows are kept as they are. */
export function cropPng(png: Png, rows: number): Buffer {
  const header = Buffer.from(png.header);
  header.writeUInt32BE(rows, 4);
  const stride = png.width * png.bytesPerPixel + 1;
  const data = deflateSync(png.filtered.subarray(0, rows * stride), { level: 9 });
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', data), chunk('IEND', Buffer.alloc(0))]);
}
