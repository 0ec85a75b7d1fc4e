import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The real command in a child process (node --import tsx), as `npx rxlog` runs it from a checkout.
describe('rxlog (lib/cli/main.ts)', () => {
  const root = path.resolve(__dirname, '../..');
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-cli-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('pretty-prints a CLEF file to stdout and exits with 0', () => {
    const file = path.join(dir, 'app.clef');
    fs.writeFileSync(
      file,
      [
        '{"@t":"2026-11-22T12:00:00.000Z","@mt":"User {UserId} logged in","UserId":42}',
        '{"@t":"2026-11-22T12:00:01.000Z","@mt":"Slow {Ms} ms","@l":"Warning","Ms":812}',
        '{"@t":"2026-11-22T12:00:02.000Z","@mt":"Cache warmed","@l":"Debug"}',
        '',
      ].join('\n'),
    );
    // TZ pins the local time the default output template shows; a pipe for stdout means no colour.
    const env = { ...process.env, TZ: 'UTC' };
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', file], { cwd: root, encoding: 'utf8', env });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('[12:00:00 INF] User 42 logged in\n[12:00:01 WRN] Slow 812 ms\n[12:00:02 DBG] Cache warmed\n');
    expect(child.status).toBe(0);
  });
});
