import { spawn } from 'node:child_process';
import * as path from 'node:path';

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
