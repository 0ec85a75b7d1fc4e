import * as fs from 'node:fs';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';

// Scenario 3's slow reader: drains a FIFO at --rate lines/s until the writers close it or --max-ms passes.
runScenario(() => {
  const args = scenarioArgs();
  const fifo = args.text('fifo');
  const rate = args.number('rate', 10_000);
  const maxMs = args.number('max-ms', 60_000);
  let lines = 0;
  let bytes = 0;
  let firstDataAt = 0;
  const startedAt = Date.now();
  // Small reads keep the pace smooth: about 40 lines of 100 bytes per read.
  const stream = fs.createReadStream(fifo, { highWaterMark: 4096 });
  const finish = (timedOut: boolean): void => {
    stream.destroy();
    reportResult({ lines, bytes, timedOut, drainMs: firstDataAt === 0 ? 0 : Date.now() - firstDataAt });
  };
  const limit = setTimeout(() => finish(true), maxMs);
  stream.on('data', (chunk) => {
    const buffer = chunk as Buffer;
    if (firstDataAt === 0) firstDataAt = Date.now();
    bytes += buffer.length;
    for (let at = buffer.indexOf(10); at !== -1; at = buffer.indexOf(10, at + 1)) lines++;
    const dueAt = firstDataAt + (lines / rate) * 1000;
    const wait = dueAt - Date.now();
    if (wait > 0) {
      stream.pause();
      setTimeout(() => stream.resume(), wait);
    }
  });
  stream.on('end', () => {
    clearTimeout(limit);
    finish(false);
  });
  stream.on('error', (error) => {
    clearTimeout(limit);
    process.stderr.write(`fifo-reader: ${error.message} after ${Date.now() - startedAt} ms\n`);
    finish(false);
  });
});
