import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { withProcessName } from '../../lib/node/with-process-name';
import { makeEvent } from '../helpers/events';

describe('withProcessName', () => {
  const title = process.title;

  afterEach(() => {
    process.title = title;
  });

  it('adds the process title when one was set', () => {
    process.title = 'orders-api';
    expect(withProcessName()(makeEvent())).toEqual({ ProcessName: 'orders-api' });
  });

  it("adds the script's file name when the title is node's default", () => {
    process.title = 'node';
    expect(withProcessName()(makeEvent())).toEqual({ ProcessName: path.basename(process.argv[1]) });
  });

  it("adds the script's file name when node was started by a path its executable is linked from (the title is argv[0])", async () => {
    // systemd's ExecStart=/usr/bin/node server.js, where /usr/bin/node links to the real executable.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'process-name.ts')], {
      argv0: '/usr/bin/node-linked',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    await once(child, 'close');
    expect(JSON.parse(output)).toEqual({ ProcessName: 'process-name.ts' });
  });

  it('keeps the name read when it was made: a title set later is not seen, as Serilog caches it', () => {
    process.title = 'orders-api';
    const enricher = withProcessName();
    process.title = 'orders-api-renamed';
    expect(enricher(makeEvent())).toEqual({ ProcessName: 'orders-api' });
    expect(withProcessName()(makeEvent())).toEqual({ ProcessName: 'orders-api-renamed' });
  });

  it('returns the same frozen object for every event', () => {
    const enricher = withProcessName();
    const first = enricher(makeEvent());
    expect(enricher(makeEvent())).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});
