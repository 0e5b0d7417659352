import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PAGE_BACKGROUND } from '../support/discordRender.ts';
import { cropPng, decodePng, lastContentRow } from '../support/screenshot.ts';

// A picture the script made: Chromium's PNG, cropped once already.
const picture = readFileSync(new URL('../../docs/replies/wallet.png', import.meta.url));

describe('cropping a screenshot', () => {
  it('given a Chromium PNG, then its content ends above the padding of background rows', () => {
    const png = decodePng(picture);
    expect(png.width).toBe(390);
    const last = lastContentRow(png, PAGE_BACKGROUND);
    expect(last).toBeGreaterThan(100);
    expect(last).toBeLessThan(png.height - 1);
  });

  it('given a crop, then a valid PNG with the top rows unchanged', () => {
    const png = decodePng(picture);
    const cropped = decodePng(cropPng(png, 40));
    expect([cropped.width, cropped.height]).toEqual([png.width, 40]);
    const stride = png.width * png.bytesPerPixel + 1;
    expect(cropped.filtered.equals(png.filtered.subarray(0, 40 * stride))).toBe(true);
  });
});
