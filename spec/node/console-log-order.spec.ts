import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { readMergedSlowly } from '../helpers/child-stdout';

// Node's console.log and a ConsoleSink writing one stdout pipe (spec/node/fixtures/console-log-order.ts).
describe("ConsoleSink and the app's console.log on one stdout pipe, in a child process", () => {
  /** The lines the parent reads from the child's stdout, and its close report. */
  async function run(pairs: number, padding: number): Promise<{ lines: string[]; delivered: number }> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'fixtures', 'console-log-order.ts'), String(pairs), String(padding)],
      { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let text = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    expect(code).toBe(0);
    const report = JSON.parse(stderr.split('\n')[0]) as { sinks: { console: { delivered: number } } };
    return { lines: text.split('\n').filter((line) => line !== ''), delivered: report.sinks.console.delivered };
  }

  const whole = (padding: number): RegExp => new RegExp(`^[LC] \\d+ x{${padding}}$`);

  it("keeps call order while Node holds less than the stream's highWaterMark: each line in turn, none cut", async () => {
    // 20 pairs of 100-byte lines: 4 KB, under stdout's 16 KiB highWaterMark.
    const { lines, delivered } = await run(20, 100);
    expect(delivered).toBe(20);
    expect(lines).toEqual(Array.from({ length: 40 }, (_, i) => `${i % 2 === 0 ? 'L' : 'C'} ${i >> 1} ${'x'.repeat(100)}`));
  }, 40_000);

  it('never cuts a line into another once the stream is backed up, though console.log lines then overtake queued events', async () => {
    // 5 000 pairs on one turn: 1 MB, far over the highWaterMark and a 64 KiB pipe.
    const { lines, delivered } = await run(5_000, 100);
    expect(delivered).toBe(5_000);
    expect(lines).toHaveLength(10_000);
    expect(lines.filter((line) => !whole(100).test(line))).toEqual([]);
    const sink = lines.filter((line) => line.startsWith('L ')).map((line) => Number(line.split(' ')[1]));
    const own = lines.filter((line) => line.startsWith('C ')).map((line) => Number(line.split(' ')[1]));
    // Each writer's lines in their own order…
    expect(sink).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
    expect(own).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
    // …but not in call order: the sink waited for 'drain' while console.log went on writing into Node's buffer.
    const lastOwn = lines.findIndex((line) => line.startsWith('C 4999 '));
    const firstLateSink = lines.findIndex((line) => line.startsWith('L 4999 '));
    expect(firstLateSink).toBeGreaterThan(lastOwn);
  }, 40_000);
});

// A ConsoleSink whose stdout and stderr are one pipe (`node app.js 2>&1 | …`), read by a slow
// reader (spec/node/fixtures/console-two-streams.ts).
describe('ConsoleSink on stdout and stderr as one pipe (2>&1), in a child process', () => {
  /** The events the reader got, as their letter and number, the lines it could not read as one, and the close's report. */
  async function run(
    count: number,
    streams: 'two' | 'one',
  ): Promise<{ events: { level: string; n: number }[]; other: string[]; delivered: number }> {
    const { code, text } = await readMergedSlowly(
      path.join(__dirname, 'fixtures', 'console-two-streams.ts'),
      `${count} ${streams}`,
    );
    expect(code).toBe(0);
    const events: { level: string; n: number }[] = [];
    const other: string[] = [];
    let delivered = -1;
    for (const line of text.split('\n')) {
      const event = /^([IW]) (\d+) x{300}$/.exec(line);
      if (event !== null) events.push({ level: event[1], n: Number(event[2]) });
      else if (line.startsWith('{"strategy"'))
        delivered = (JSON.parse(line) as { sinks: { console: { delivered: number } } }).sinks.console.delivered;
      else if (line !== '') other.push(line.slice(0, 80));
    }
    return { events, other, delivered };
  }

  const numbers = (events: { level: string; n: number }[], level: string): number[] =>
    events.filter((event) => event.level === level).map((event) => event.n);

  it('keeps the order of each stream, information on stdout and warnings on stderr, though one may overtake the other', async () => {
    // 20 000 events of 300 bytes, 500 per turn: the pipe fills and empties again and again. Two
    // Node streams write it, each holding its own lines while the pipe is full, so which of them
    // writes first once the reader reads is not call order: a warning can come out before
    // information lines logged before it, and the other way round. Two writers on one pipe can
    // also cut into each other's line while it is full (docs/node.md), so only the lines the
    // reader got whole are compared here: each stream's come in its own order, none twice.
    const { events, delivered } = await run(20_000, 'two');
    expect(delivered).toBe(20_000);
    const increasing = (values: number[]): boolean => values.every((n, i) => i === 0 || n > values[i - 1]);
    const information = numbers(events, 'I');
    const warnings = numbers(events, 'W');
    expect({ information: increasing(information), warnings: increasing(warnings) }).toEqual({
      information: true,
      warnings: true,
    });
    expect(information.every((n) => n % 3 !== 2) && warnings.every((n) => n % 3 === 2)).toBe(true);
    // Nearly all are whole (every one, in the runs made so far): the order above is not vacuous.
    expect(events.length).toBeGreaterThan(19_900);
  }, 40_000);

  it('writes every level in call order with standardErrorFromLevel: null, one stream for the pipe', async () => {
    const { events, other, delivered } = await run(20_000, 'one');
    expect({ delivered, other }).toEqual({ delivered: 20_000, other: [] });
    expect(events.map((event) => event.n)).toEqual(Array.from({ length: 20_000 }, (_, n) => n));
    expect(numbers(events, 'W')).toHaveLength(Math.floor(20_000 / 3));
  }, 40_000);
});
