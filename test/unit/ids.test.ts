import { describe, expect, it } from 'vitest';
import { parseCorporationList } from '../../src/audit/settings.ts';
import { parseId } from '../../src/ids.ts';

describe('parseId', () => {
  it('given digits within the 64-bit range, then the bigint; given anything else, then undefined', () => {
    expect(parseId('90000001')).toBe(90000001n);
    expect(parseId(' 9223372036854775807 ')).toBe(9223372036854775807n);
    for (const text of ['9223372036854775808', '99999999999999999999', '-1', '1e5', '0x10', '', '12 34']) expect(parseId(text)).toBeUndefined();
  });

  it('given a corporation list with an id out of range, then it is not taken as an id', () => {
    expect(parseCorporationList('98000001, 99999999999999999999, Alpha')).toEqual({ ids: [98000001n], names: ['99999999999999999999', 'Alpha'] });
  });
});
