import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RollingFilePath } from '../../../lib/node/file/rolling-file-path';

describe('RollingFilePath', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('puts the period between the name and the extension, and the sequence after it', () => {
    const files = new RollingFilePath(path.join(dir, 'logs/app-.log'), 'day');
    expect(files.pathFor('20261122', 0)).toBe(path.join(dir, 'logs/app-20261122.log'));
    expect(files.pathFor('20261122', 1)).toBe(path.join(dir, 'logs/app-20261122_001.log'));
    expect(files.pathFor('20261122', 1234)).toBe(path.join(dir, 'logs/app-20261122_1234.log'));
  });

  it('names infinite sets without a period', () => {
    const files = new RollingFilePath(path.join(dir, 'app.log'), 'infinite');
    expect(files.pathFor('', 0)).toBe(path.join(dir, 'app.log'));
    expect(files.pathFor('', 2)).toBe(path.join(dir, 'app_002.log'));
  });

  it('parses names of its own set only', () => {
    const files = new RollingFilePath(path.join(dir, 'app-.log'), 'hour');
    expect(files.parse('app-2026112215.log')).toEqual({ period: '2026112215', sequence: 0 });
    expect(files.parse('app-2026112215_007.log')).toEqual({ period: '2026112215', sequence: 7 });
    expect(files.parse('app-20261122.log')).toBeUndefined();
    expect(files.parse('app-2026112215.log.gz')).toBeUndefined();
    expect(files.parse('other-2026112215.log')).toBeUndefined();
    expect(files.parse('app-2026112215_07.log')).toBeUndefined();
  });

  it('treats regular-expression characters in the name literally', () => {
    const files = new RollingFilePath(path.join(dir, 'a.b+(c)-.log'), 'year');
    expect(files.parse('a.b+(c)-2026.log')).toEqual({ period: '2026', sequence: 0 });
    expect(files.parse('aXb+(c)-2026.log')).toBeUndefined();
  });

  it('lists the set on disk oldest first, sequences compared as numbers', () => {
    const files = new RollingFilePath(path.join(dir, 'app-.log'), 'day');
    for (const name of ['app-20261122_1000.log', 'app-20261121.log', 'app-20261122.log', 'app-20261122_002.log', 'notes.txt']) {
      fs.writeFileSync(path.join(dir, name), '');
    }
    expect(files.list().map((f) => path.basename(f.path))).toEqual([
      'app-20261121.log',
      'app-20261122.log',
      'app-20261122_002.log',
      'app-20261122_1000.log',
    ]);
  });

  it('lists nothing when the folder does not exist', () => {
    expect(new RollingFilePath(path.join(dir, 'missing/app.log'), 'day').list()).toEqual([]);
  });
});
