/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: it throws, naming the
 * line, wherever the format (as prometheus/common's expfmt TextParser reads it, and as
 * `promtool check metrics` lints it) or a scrape would refuse or mis-read the text, and checks
 * what the parser leaves to others too: no series twice (labels with an empty value count as
 * absent, as Prometheus stores them), every family's lines together, counters named `_total`,
 * histograms with ascending `le` edges, cumulative counts that are never negative and `+Inf`
 * equal to `_count`, and summaries with `_count`.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string | undefined;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// What Go's strconv.ParseFloat takes, as Prometheus writes values (no hex floats, no underscores).
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf|inf)|NaN)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

function goFloat(text: string): number {
  if (!VALUE.test(text)) throw new Error(`not a float: ${JSON.stringify(text)}`);
  if (/^[+-]?[Ii]nf$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** The text between `from` and the next unescaped `"`, unescaped (only `\\`, `\"` and `\n`), and where it ends. */
function labelValue(line: string, from: number): [string, number] {
  let value = '';
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (c === '"') return [value, i + 1];
    if (c === '\n') throw new Error('unescaped new-line in a label value');
    if (c !== '\\') {
      value += c;
      continue;
    }
    const next = line[++i];
    if (next === '\\' || next === '"') value += next;
    else if (next === 'n') value += '\n';
    else throw new Error(`invalid escape sequence \\${String(next)} in a label value`);
  }
  throw new Error('unterminated label value');
}

/** A HELP text unescaped: only `\\` and `\n` are escapes there. */
function helpText(text: string): string {
  return text.replace(/\\(.?)/g, (_, next: string) => {
    if (next === '\\') return '\\';
    if (next === 'n') return '\n';
    throw new Error(`invalid escape sequence \\${next} in HELP`);
  });
}

function parseSample(line: string): Sample {
  const nameMatch = /^[^{ \t]+/.exec(line);
  if (nameMatch === null) throw new Error('no metric name');
  const name = nameMatch[0];
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    while (line[at] !== '}') {
      const labelMatch = /^([^=,}]*)="/.exec(line.slice(at));
      if (labelMatch === null) throw new Error(`malformed labels at ${at}`);
      const label = labelMatch[1];
      if (!LABEL_NAME.test(label) || label.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(label)}`);
      if (Object.hasOwn(labels, label)) throw new Error(`duplicate label name ${label}`);
      const [value, end] = labelValue(line, at + labelMatch[0].length);
      Object.defineProperty(labels, label, { value, enumerable: true });
      at = end;
      if (line[at] === ',') at++;
      else if (line[at] !== '}') throw new Error(`expected , or } at ${at}`);
    }
    at++;
  }
  if (line[at] !== ' ') throw new Error(`expected one space before the value at ${at}`);
  const rest = line.slice(at + 1).split(' ');
  if (rest.length > 2 || rest[0] === '') throw new Error('expected a value and at most a timestamp');
  if (rest.length === 2 && !/^-?\d+$/.test(rest[1])) throw new Error(`invalid timestamp ${rest[1]}`);
  return { name, labels, value: goFloat(rest[0]) };
}

/** The family a sample name belongs to, given the families declared so far. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const own = families.get(name);
  if (own !== undefined) return own;
  for (const [type, suffixes] of Object.entries(SUFFIXES))
    for (const suffix of suffixes)
      if (name.endsWith(suffix)) {
        const family = families.get(name.slice(0, -suffix.length));
        if (family?.type === type) return family;
      }
  return undefined;
}

/** A series' identity as Prometheus stores it: the name and the labels that have a value, sorted. */
function seriesKey(sample: Sample): string {
  const kept = Object.entries(sample.labels)
    .filter(([, value]) => value !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([sample.name, kept]);
}

/** The sample's labels but `without`, as the key of its histogram or summary. */
function groupKey(sample: Sample, without: string): string {
  const { [without]: _, ...rest } = sample.labels;
  return seriesKey({ ...sample, name: '', labels: rest });
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  const group = (key: string): { buckets: [number, number][]; sum?: number; count?: number } => {
    let found = groups.get(key);
    if (found === undefined) groups.set(key, (found = { buckets: [] }));
    return found;
  };
  for (const sample of family.samples) {
    if (sample.name.endsWith('_bucket')) {
      if (!Object.hasOwn(sample.labels, 'le')) throw new Error(`${family.name}: a bucket without le`);
      group(groupKey(sample, 'le')).buckets.push([goFloat(sample.labels.le), sample.value]);
    } else if (Object.hasOwn(sample.labels, 'le')) throw new Error(`${family.name}: le on ${sample.name}`);
    else if (sample.name.endsWith('_sum')) group(groupKey(sample, 'le')).sum = sample.value;
    else if (sample.name.endsWith('_count')) group(groupKey(sample, 'le')).count = sample.value;
    else throw new Error(`${family.name}: sample ${sample.name} in a histogram`);
  }
  for (const [key, { buckets, sum, count }] of groups) {
    if (sum === undefined || count === undefined) throw new Error(`${family.name} ${key}: no _sum or _count`);
    // expfmt's TextParser (prometheus/common 0.67 on, so promtool 3) fails the whole text at a
    // negative bucket population or count: "negative bucket population for histogram".
    if (count < 0 || buckets.some(([, n]) => n < 0)) throw new Error(`${family.name} ${key}: a negative count`);
    const last = buckets[buckets.length - 1];
    if (last === undefined || last[0] !== Infinity || last[1] !== count)
      throw new Error(`${family.name} ${key}: the last bucket is not le="+Inf" equal to _count`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i][0] > buckets[i - 1][0])) throw new Error(`${family.name} ${key}: le not ascending`);
      if (!(buckets[i][1] >= buckets[i - 1][1])) throw new Error(`${family.name} ${key}: bucket counts fall`);
    }
  }
}

function checkSummary(family: Family): void {
  const counted = new Map<string, boolean>();
  for (const sample of family.samples) {
    const key = groupKey(sample, 'quantile');
    counted.set(key, (counted.get(key) ?? false) || sample.name.endsWith('_count'));
    if (sample.name === family.name) {
      const quantile = goFloat(sample.labels.quantile ?? 'missing');
      if (!(quantile >= 0 && quantile <= 1)) throw new Error(`${family.name}: quantile ${quantile}`);
    } else if (Object.hasOwn(sample.labels, 'quantile')) throw new Error(`${family.name}: quantile on ${sample.name}`);
  }
  // A conversion to OpenTelemetry drops a summary without _count; one without _sum (metrics from an
  // earlier version, which had no total) reads as a sum of 0, as docs/metrics.md says.
  for (const [key, count] of counted) if (!count) throw new Error(`${family.name} ${key}: no _count`);
}

/** Reads `text` strictly; throws naming the line and what is wrong. */
export function parsePrometheusStrictly(text: string): Map<string, Family> {
  if (/\p{Cs}/u.test(text)) throw new Error('the text has a lone surrogate: no UTF-8 form');
  if (text !== '' && !text.endsWith('\n')) throw new Error('the last line has no new-line');
  const families = new Map<string, Family>();
  const series = new Set<string>();
  const closed = new Set<string>();
  let current: Family | undefined;
  const enter = (family: Family): void => {
    if (current !== family) {
      if (closed.has(family.name)) throw new Error(`lines of ${family.name} after another family's`);
      if (current !== undefined) closed.add(current.name);
      current = family;
    }
  };
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((line, index) => {
    try {
      if (line.trim() === '') throw new Error('empty line');
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (meta !== null) {
        const [, kind, name, rest = ''] = meta;
        if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
        let family = families.get(name);
        if (family === undefined) families.set(name, (family = { name, type: 'untyped', help: undefined, samples: [] }));
        enter(family);
        const mutable = family as { type: string; help: string | undefined };
        if (kind === 'HELP') {
          if (family.help !== undefined) throw new Error(`second HELP line for ${name}`);
          mutable.help = helpText(rest);
        } else {
          if (family.type !== 'untyped' || family.samples.length > 0)
            throw new Error(`second TYPE line for ${name}, or TYPE after samples`);
          if (!TYPES.has(rest)) throw new Error(`unknown type ${rest}`);
          mutable.type = rest;
        }
        return;
      }
      if (line.startsWith('#')) return;
      const sample = parseSample(line);
      const family = familyOf(sample.name, families);
      if (family === undefined || family.type === 'untyped') throw new Error(`sample ${sample.name} has no TYPE before it`);
      enter(family);
      const key = seriesKey(sample);
      if (series.has(key)) throw new Error(`duplicate series ${key}`);
      series.add(key);
      family.samples.push(sample);
    } catch (error) {
      throw new Error(`line ${index + 1}: ${(error as Error).message}: ${JSON.stringify(line.slice(0, 200))}`, { cause: error });
    }
  });
  for (const family of families.values()) {
    if (family.type === 'counter' && !family.name.endsWith('_total'))
      throw new Error(`counter ${family.name} does not end in _total`);
    if (family.type === 'histogram') checkHistogram(family);
    if (family.type === 'summary') checkSummary(family);
  }
  return families;
}
