import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyFileRetention } from '../../../lib/node/file/file-retention';
import { RollingFilePath } from '../../../lib/node/file/rolling-file-path';

describe('applyFileRetention', () => {
  let dir: string;
  let files: RollingFilePath;
  const names = ['app-20261118.log', 'app-20261119.log', 'app-20261120.log', 'app-20261121.log', 'app-20261122.log'];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-'));
    files = new RollingFilePath(path.join(dir, 'app-.log'), 'day');
    for (const name of [...names, 'unrelated.log']) fs.writeFileSync(path.join(dir, name), '');
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('deletes the oldest files beyond the limit, counting the current one', () => {
    applyFileRetention(files, 2, path.join(dir, 'app-20261122.log'));
    expect(fs.readdirSync(dir).sort()).toEqual(['app-20261121.log', 'app-20261122.log', 'unrelated.log']);
  });

  it('never deletes the current file, even when it is not the newest', () => {
    applyFileRetention(files, 1, path.join(dir, 'app-20261119.log'));
    expect(fs.readdirSync(dir).sort()).toEqual(['app-20261119.log', 'unrelated.log']);
  });

  describe('with a time limit', () => {
    const day = 24 * 60 * 60 * 1000;

    it('deletes the files whose whole period ended at least the limit before now, never the current one', () => {
      // At noon on 22 November with a two-day limit: 20261120 ended at midnight on the 21st, 36 hours
      // ago, so it holds nothing younger than the limit only once it ended 48 hours ago.
      const now = Date.UTC(2026, 10, 22, 12);
      applyFileRetention(files, null, path.join(dir, 'app-20261118.log'), 2 * day, now);
      expect(fs.readdirSync(dir).sort()).toEqual([
        'app-20261118.log',
        'app-20261120.log',
        'app-20261121.log',
        'app-20261122.log',
        'unrelated.log',
      ]);
    });

    it('keeps a file until the last moment of its period is as old as the limit', () => {
      const end19 = Date.UTC(2026, 10, 20);
      applyFileRetention(files, null, path.join(dir, 'app-20261122.log'), day, end19 + day - 1);
      expect(fs.readdirSync(dir)).toContain('app-20261119.log');
      applyFileRetention(files, null, path.join(dir, 'app-20261122.log'), day, end19 + day);
      expect(fs.readdirSync(dir)).not.toContain('app-20261119.log');
    });

    it('deletes what either limit says', () => {
      applyFileRetention(files, 4, path.join(dir, 'app-20261122.log'), 10 * day, Date.UTC(2026, 10, 22, 12));
      expect(fs.readdirSync(dir)).toHaveLength(5);
      applyFileRetention(files, 4, path.join(dir, 'app-20261122.log'), day, Date.UTC(2026, 10, 22, 12));
      expect(fs.readdirSync(dir).sort()).toEqual(['app-20261121.log', 'app-20261122.log', 'unrelated.log']);
    });
  });

  // A FIFO (or any entry that is no regular file) at a name of the set is rolled past, never written:
  // it was counted, pushing a log file out, and deleted once past the limits, taking a reader's pipe.
  (process.platform === 'linux' ? it : it.skip)(
    'neither counts nor deletes a FIFO or a symlink at a name of the set (mkfifo), only regular files',
    () => {
      const fifo = path.join(dir, 'app-20261119.log');
      fs.rmSync(fifo);
      execFileSync('mkfifo', [fifo]);
      const link = path.join(dir, 'app-20261120.log');
      fs.rmSync(link);
      fs.symlinkSync(path.join(dir, 'unrelated.log'), link);
      // Regular: 18, 21 and 22 (the current one); a limit of 3 keeps them all.
      applyFileRetention(files, 3, path.join(dir, 'app-20261122.log'));
      expect(fs.readdirSync(dir).sort()).toEqual([...names, 'unrelated.log']);
      // A limit of 1, and a time limit every period is past: only the regular files go.
      applyFileRetention(files, 1, path.join(dir, 'app-20261122.log'), 1, Date.UTC(2027, 0, 1));
      expect(fs.readdirSync(dir).sort()).toEqual(['app-20261119.log', 'app-20261120.log', 'app-20261122.log', 'unrelated.log']);
      expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    },
  );

  it('keeps everything when the limit is null', () => {
    expect(applyFileRetention(files, null, path.join(dir, 'app-20261122.log'))).toEqual([]);
    expect(fs.readdirSync(dir)).toHaveLength(6);
  });
});
