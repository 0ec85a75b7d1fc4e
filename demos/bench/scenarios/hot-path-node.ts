import * as fs from 'node:fs';
import { nowNs, peakRssMiB } from '../support/clock';
import { countLines, fsyncPath } from '../support/file-lines';
import { ACTION, hotPathResult, USERS } from '../support/hot-path-workload';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';

/** Bytes gathered before one `writeSync`. */
const CHUNK = 64 * 1024;

// Scenario 1 floor: plain Node, JSON.stringify per line and 64 KiB writeSync batches.
runScenario(() => {
  const args = scenarioArgs();
  const n = args.number('n', 200_000);
  const file = args.text('file');
  const fd = fs.openSync(file, 'a');
  const start = nowNs();
  let pending = '';
  for (let i = 0; i < n; i++) {
    pending += `${JSON.stringify({ time: Date.now(), level: 30, User: USERS[i & 7], Action: ACTION, msg: 'User did something' })}\n`;
    if (pending.length >= CHUNK) {
      fs.writeSync(fd, pending);
      pending = '';
    }
  }
  if (pending.length > 0) fs.writeSync(fd, pending);
  const loopEnd = nowNs();
  fs.closeSync(fd);
  fsyncPath(file);
  const end = nowNs();
  reportResult({
    ...hotPathResult({ n, loopNs: loopEnd - start, endToEndNs: end - start, lines: countLines(file) }),
    peakRssMiB: peakRssMiB(),
  });
});
