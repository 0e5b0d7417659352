import { describe, expect, it } from 'vitest';
import { CSV_BOM, csvCell, toCsv } from '../../src/audit/csv.ts';

describe('CSV writer', () => {
  it('given plain values, then they are written as they are; null and undefined are empty', () => {
    expect(csvCell('Alpha Industries')).toBe('Alpha Industries');
    expect(csvCell(90000001n)).toBe('90000001');
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678Z');
  });

  it('given commas, quotes or line breaks, then the cell is quoted and quotes are doubled', () => {
    expect(csvCell('Smith, John')).toBe('"Smith, John"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"');
  });

  it('given text a spreadsheet would run as a formula, then it is prefixed with an apostrophe', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","click")')).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1:A2)')).toBe("'@SUM(A1:A2)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    // Only a leading sign matters; numbers we write are data.
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(-5)).toBe('-5');
  });

  it('given a header and rows, then CRLF lines after a byte order mark', () => {
    const csv = toCsv(['id', 'name'], [[1n, 'Alice'], [2n, '=cmd']]);
    expect(csv.startsWith(CSV_BOM)).toBe(true);
    expect(csv.slice(1)).toBe("id,name\r\n1,Alice\r\n2,'=cmd\r\n");
  });
});
