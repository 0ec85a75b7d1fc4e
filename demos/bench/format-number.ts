import { formatNumber } from '../../lib/templates/format-number';
import { parseTemplate } from '../../lib/templates/parse-template';
import { renderTemplate } from '../../lib/templates/render-template';

// `npx tsx demos/bench/format-number.ts`: the cost of formatting numbers with custom formats.
// (1) formatNumber with a few custom formats used again and again, as a logger's templates use
// them; (2) one template of 2 000 distinct holes, each formatted (`{K1:0.00}{K2:0.0#}…`), as a
// hostile client sends it to createIngestHandler, reported per byte of template. Each runs in
// rounds, timed in this process's CPU time (so time other processes take the cores from it is not
// counted), and the fastest round is reported (the least disturbed by other work on the machine).

const ROUNDS = 15;

/** This process's CPU time (user and system), in nanoseconds. */
function cpuNs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}
const FORMATS = ['#,##0.00', '0.00E+00', '0.0#;(0.0#);zero', "#,##0.## 'kg'", '00000', '0.###%'];
const VALUES = [0, 1234.5678, -0.004, 98765432.1, 0.5, -12.345];
const CALLS = 60_000;

function formats(): number {
  let length = 0;
  const started = cpuNs();
  for (let i = 0; i < CALLS; i++) length += formatNumber(VALUES[i % VALUES.length], FORMATS[i % FORMATS.length]).length;
  if (length === 0) throw new Error('nothing formatted');
  return (cpuNs() - started) / CALLS;
}

const HOLES = 2_000;
const PATTERNS = ['0.00', '0.0#', '#,##0.###', '0.00E+00'];
const text = Array.from({ length: HOLES }, (_, i) => `{K${i}:${PATTERNS[i % PATTERNS.length]}}`).join('');
const template = parseTemplate(text);
const properties = Object.fromEntries(Array.from({ length: HOLES }, (_, i) => [`K${i}`, i * 1.2345]));
const RENDERS = 20;

function holes(): number {
  let length = 0;
  const started = cpuNs();
  for (let i = 0; i < RENDERS; i++) length += renderTemplate(template, properties).length;
  if (length === 0) throw new Error('nothing rendered');
  return (cpuNs() - started) / RENDERS / text.length;
}

const formatRounds: number[] = [];
const holeRounds: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  formatRounds.push(formats());
  holeRounds.push(holes());
}
process.stdout.write(`formatNumber, custom formats: ${Math.min(...formatRounds).toFixed(0)} ns per call\n`);
process.stdout.write(
  `template of ${HOLES} formatted holes (${text.length} chars): ${Math.min(...holeRounds).toFixed(1)} ns per template char\n`,
);
