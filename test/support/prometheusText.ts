/**
 * A strict parser of Prometheus' text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): what a
 * Prometheus server would refuse, this throws on. Families with their HELP
 * and TYPE; samples with their labels; histograms checked for cumulative
 * buckets, a +Inf bucket equal to _count, and a _sum.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }));
    return f;
  };
  text.split('\n').forEach((line, index) => {
    const where = `line ${index + 1}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) return; // a plain comment
      const [, kind, name, rest] = match as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type ${rest}`);
        if (family(name).samples.length > 0) throw new Error(`${where}: TYPE after samples of ${name}`);
        family(name).type = rest as Family['type'];
      } else {
        family(name).help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      }
      return;
    }
    const sample = parseSample(line, where);
    const base = familyOf(sample.name, families);
    family(base).samples.push(sample);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function familyOf(sampleName: string, families: Map<string, Family>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (sampleName.endsWith(suffix)) {
      const base = sampleName.slice(0, -suffix.length);
      const type = families.get(base)?.type;
      if (type === 'histogram' || type === 'summary') return base;
    }
  }
  return sampleName;
}

function parseSample(line: string, where: string): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error(`${where}: no metric name in ${JSON.stringify(line)}`);
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/.exec(rest);
      if (!label || !LABEL.test(label[1]!)) throw new Error(`${where}: bad label in ${JSON.stringify(line)}`);
      if (label[1]! in labels) throw new Error(`${where}: label ${label[1]} twice`);
      labels[label[1]!] = label[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      rest = rest.slice(label[0].length);
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) throw new Error(`${where}: expected , or } in ${JSON.stringify(line)}`);
    }
    rest = rest.slice(1);
  }
  // Values are Go floats as Prometheus parses them (strconv.ParseFloat: NaN and Inf in any case).
  const value = /^ ((?:nan)|[+-]?inf(?:inity)?|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?: -?\d+)?$/i.exec(rest);
  if (!value) throw new Error(`${where}: bad value in ${JSON.stringify(line)}`);
  const word = value[1]!.toLowerCase();
  const number = word === 'nan' ? NaN : /inf/.test(word) ? (word.startsWith('-') ? -Infinity : Infinity) : Number(value[1]);
  return { name, labels, value: number };
}

function checkHistogram(f: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`);
    const count = samples.find((s) => s.name === `${f.name}_count`);
    if (!samples.some((s) => s.name === `${f.name}_sum`) || !count) throw new Error(`${f.name}${key}: histogram without _sum or _count`);
    let last = -Infinity;
    for (const b of buckets) {
      if (b.labels.le === undefined) throw new Error(`${f.name}: bucket without le`);
      if (b.value < last) throw new Error(`${f.name}${key}: buckets are not cumulative`);
      last = b.value;
    }
    const inf = buckets.find((b) => b.labels.le === '+Inf');
    if (!inf || inf.value !== count.value) throw new Error(`${f.name}${key}: +Inf bucket differs from _count`);
  }
}

/** The value of the first sample named `name` (a family's own name, or name_count etc.) whose labels include `labels`. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families.values()) {
    const s = f.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
    if (s) return s.value;
  }
  return undefined;
}
