import { Readable } from 'node:stream';
import * as boundedEventModule from '../../lib/cli/bounded-event';
import { runCli } from '../../lib/cli/run-cli';
import { TextCollector } from '../helpers/text-collector';

async function run(
  args: string[],
  lines: Iterable<string>,
  maxLineBytes?: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new TextCollector();
  const stderr = new TextCollector();
  const code = await runCli(args, { stdin: Readable.from(lines), stdout, stderr, maxLineBytes });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const T0 = '2026-11-22T12:00:00.000Z';
const WARN = `{"@t":"${T0}","@mt":"Disk {Free} MB","@l":"Warning","Free":12}`;

// Before, every event's message was rendered (up to the line cap) before --level looked at it: a file of debug
// events read with `--level warning` paid for rendering each, and a debug event whose message renders past the cap
// was shown as its raw line (under --strict, reported as not an event) though --level leaves it out.
describe('runCli --level', () => {
  afterEach(() => jest.restoreAllMocks());

  it('renders no message of an event below the level', async () => {
    const render = jest.spyOn(boundedEventModule, 'boundedEvent');
    const debug = (i: number): string => `{"@t":"${T0}","@mt":"Cache {Key} hit {A,900}","@l":"Debug","Key":${i},"A":1}\n`;
    function* lines(): Generator<string> {
      for (let i = 0; i < 1000; i++) yield debug(i);
      yield `${WARN}\n`;
    }
    expect(await run(['--level', 'warning', '--template', '{Message}'], lines())).toEqual({
      code: 0,
      stderr: '',
      stdout: 'Disk 12 MB\n',
    });
    expect(render).toHaveBeenCalledTimes(1);
  });

  it('leaves out an event below the level whose message renders past the line cap, also under --strict', async () => {
    const long = `{"@t":"${T0}","@mt":"{A,9999}{A,-9999}","@l":"Debug","A":1}`;
    const input = [`${long}\n${WARN}\n`];
    expect(await run(['--level', 'warning', '--template', '{Message}'], input, 1024)).toEqual({
      code: 0,
      stderr: '',
      stdout: 'Disk 12 MB\n',
    });
    expect(await run(['--strict', '--level', 'warning', '--template', '{Message}'], input, 1024)).toEqual({
      code: 0,
      stderr: '',
      stdout: 'Disk 12 MB\n',
    });
    // At or above the level, such an event is still passed through as its line, and reported under --strict.
    expect(await run(['--strict', '--level', 'debug', '--template', '{Message}'], input, 1024)).toEqual({
      code: 1,
      stderr: 'rxlog: <stdin>:1: not a log event (its message renders to more than 1024 characters)\n',
      stdout: 'Disk 12 MB\n',
    });
  });
});
