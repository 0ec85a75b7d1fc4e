import { spawn } from 'node:child_process';
import * as path from 'node:path';

// A line StreamSink's exit flush cut where the pipe was full (the reader stalled longer than
// syncFlushTimeoutMs) and what is written after it at exit (spec/node/fixtures/exit-cut-line.ts).

interface Counts {
  readonly name: string;
  readonly received: number;
  readonly delivered: number;
  readonly pending: number;
}

interface Outcome {
  readonly code: number | null;
  /** Every whole line the reader got, as read. */
  readonly lines: string[];
  /** Each logger's metrics at exit, after every exit flush. */
  readonly metrics: Counts[];
}

/** Runs the fixture; its stdout, a pipe, is read only once the child writes `read now` on stderr (or has exited). */
function run(mode: 'again' | 'second' | 'both', count: number): Promise<Outcome> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'fixtures', 'exit-cut-line.ts'), mode, String(count)],
    { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const chunks: Buffer[] = [];
  // Paused before listening: the listener must not start the flow.
  child.stdout.pause();
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (stderr.includes('read now\n')) child.stdout.resume();
  });
  child.on('exit', () => child.stdout.resume());
  // Bounded: a hung exit is killed, and shows as a null code.
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      const lines = Buffer.concat(chunks).toString('utf8').split('\n');
      // The last piece has no newline: a line cut short, or nothing.
      lines.pop();
      const metrics = stderr
        .split('\n')
        .filter((line) => line.startsWith('metrics '))
        .map((line) => JSON.parse(line.slice('metrics '.length)) as Counts);
      resolve({ code, lines, metrics });
    }),
  );
}

/**
 * Checks that every line the reader got is one event's, whole (none torn, none run into another),
 * each logger's in order and once, and that each logger counts delivered exactly the lines the
 * reader got of it, the rest pending (reported undelivered).
 */
function expectWholeLinesCountedAsRead(outcome: Outcome, count: number): Map<string, number[]> {
  expect(outcome.code).toBe(0);
  const numbers = new Map<string, number[]>();
  const garbled: string[] = [];
  for (const line of outcome.lines) {
    let event: { Sink?: unknown; N?: unknown };
    try {
      event = JSON.parse(line) as { Sink?: unknown; N?: unknown };
    } catch {
      garbled.push(`${line.slice(0, 80)}…${line.slice(-80)}`);
      continue;
    }
    const sink = String(event.Sink);
    numbers.set(sink, [...(numbers.get(sink) ?? []), Number(event.N)]);
  }
  expect(garbled).toEqual([]);
  for (const { name, received, delivered, pending } of outcome.metrics) {
    const got = numbers.get(name) ?? [];
    expect({ name, numbers: got }).toEqual({ name, numbers: Array.from({ length: got.length }, (_, i) => i) });
    expect({ name, received, delivered, pending }).toEqual({
      name,
      received: count,
      delivered: got.length,
      pending: count - got.length,
    });
  }
  return numbers;
}

describe('StreamSink on a stdout pipe after its exit flush cut a line', () => {
  it('writes each line once when the app flushes again at exit: the rest of the cut line, then the lines after it', async () => {
    // 300 lines of 1 000 bytes are more than the pipe holds: the hooks' flush cuts one, then the
    // reader reads and the app's own flush, 1 s later, finishes it. The rest of the batch used to
    // be written twice (65 lines again after the last, out of order), as the pipeline's retry of it
    // had handed it to Node's stream at exit too, and the second flush wrote that as well.
    const outcome = await run('again', 300);
    const numbers = expectWholeLinesCountedAsRead(outcome, 300);
    // The second flush found room: what the first left is out, so nothing is lost here.
    expect(numbers.get('first')?.length).toBe(300);
  }, 40_000);

  it("writes no other sink's lines into the line one cut on the same pipe: a torn line that counted delivered", async () => {
    // The first logger's flush cuts a line and gives up after 100 ms; the reader then reads, and
    // the second logger's sink, which waits for it up to 5 s, used to write its lines right after
    // the cut one, so its first line ran into it. It now writes nothing there: its events are
    // reported undelivered, as the rest of the first's.
    const outcome = await run('second', 450);
    const numbers = expectWholeLinesCountedAsRead(outcome, 450);
    expect(numbers.get('first')?.length).toBeGreaterThan(0);
    expect(numbers.get('first')?.length).toBeLessThan(450);
  }, 40_000);

  it("writes a second logger's lines too once the first's exit flush has taken over its chunk from Node's stream", async () => {
    // Two loggers on one stdout pipe, whose reader reads from the exit on: the first's exit flush
    // takes the chunk Node's stream still holds (it will never write it now) and writes it itself,
    // then its queue. The second's flush found the first's taken bytes still in the stream's count,
    // took them for another writer's it would overtake, and wrote nothing: every event undelivered
    // though the reader was reading (2 000 here).
    const outcome = await run('both', 2000);
    const numbers = expectWholeLinesCountedAsRead(outcome, 2000);
    expect({ first: numbers.get('first')?.length, second: numbers.get('second')?.length }).toEqual({ first: 2000, second: 2000 });
  }, 40_000);
});
