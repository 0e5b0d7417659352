import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../support/prometheusText.ts';

describe('parsePrometheusText (the test suite\'s strict reader of /metrics)', () => {
  it('given a valid exposition, then families, labels and values', () => {
    const families = parsePrometheusText(
      '# HELP c_total Things.\n# TYPE c_total counter\nc_total{a="x\\"y",b="2"} 3\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1.5\nh_count 2\n',
    );
    expect(families.get('c_total')).toMatchObject({ type: 'counter', help: 'Things.', samples: [{ labels: { a: 'x"y', b: '2' }, value: 3 }] });
    expect(families.get('h')?.samples).toHaveLength(4);
  });

  it.each([
    ['a bad value', 'x 1,5\n'],
    ['an unquoted label', 'x{a=b} 1\n'],
    ['a missing newline at the end', 'x 1'],
    ['a histogram whose +Inf bucket differs from its count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n'],
    ['buckets that are not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
  ])('given %s, then it throws', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
