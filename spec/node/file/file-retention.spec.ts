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

  it('keeps everything when the limit is null', () => {
    expect(applyFileRetention(files, null, path.join(dir, 'app-20261122.log'))).toEqual([]);
    expect(fs.readdirSync(dir)).toHaveLength(6);
  });
});
