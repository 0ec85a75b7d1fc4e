import * as path from 'node:path';
import { LoggerConfiguration } from '../../../lib/index';
import { FileSink } from '../../../lib/node/file/file-sink';
import { nowNs } from '../support/clock';
import { countLines } from '../support/file-lines';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';

/** A template with `props` holes and the values for them. */
function propertiesWorkload(props: number): { template: string; values: unknown[] } {
  const names = Array.from({ length: props }, (_, i) => `P${i}`);
  return { template: names.map((name) => `{${name}}`).join(' '), values: names.map((_, i) => (i % 2 === 0 ? i : `v${i}`)) };
}

/** An object nested `depth` levels, two fields a level. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 'x', n: 1 };
  for (let level = 1; level < depth; level++) value = { name: `l${level}`, child: value };
  return value;
}

// Scenario 12 (rxlog): per-event cost against the number of properties, the nesting depth of a
// `{@Value}` and the number of file sinks, end to end until closed (no fsync: the disk is not the
// subject here).
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 100_000);
  const dir = args.text('dir');
  const props = args.number('props', 2);
  const depth = args.number('depth', 0);
  const sinks = args.number('sinks', 1);
  let configuration = new LoggerConfiguration();
  const files: string[] = [];
  for (let i = 0; i < sinks; i++) {
    const file = path.join(dir, `events-${i}.log`);
    files.push(file);
    configuration = configuration.writeTo.sink(new FileSink(file), { name: `file-${i}` });
  }
  const log = configuration.createLogger();
  let template: string;
  let values: unknown[];
  if (depth > 0) {
    template = 'Value {@Value}';
    values = [nested(depth)];
  } else ({ template, values } = propertiesWorkload(props));
  const start = nowNs();
  for (let i = 0; i < n; i++) log.information(template, ...values);
  const loopEnd = nowNs();
  await log.close({ strategy: 'flush' });
  const end = nowNs();
  let lines = 0;
  for (const file of files) lines += countLines(file);
  reportResult({
    callerNsPerCall: (loopEnd - start) / n,
    endToEndNsPerEvent: (end - start) / n,
    lostLines: n * sinks - lines,
  });
});
