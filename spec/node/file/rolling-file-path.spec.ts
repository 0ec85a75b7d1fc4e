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

  // Found by review: Node's path.parse reads `.log` as a name without an extension, so the set was
  // `.log20261122` (a hidden file, beside no `.log` one); .NET's Path.GetExtension, which Serilog's
  // PathRoller uses, reads it as the extension alone: `20261122.log`.
  it('reads a file name that is only an extension (.log) as Serilog does: the period before it', () => {
    const files = new RollingFilePath(path.join(dir, 'logs/.log'), 'day');
    expect(files.pathFor('20261122', 0)).toBe(path.join(dir, 'logs/20261122.log'));
    expect(files.pathFor('20261122', 2)).toBe(path.join(dir, 'logs/20261122_002.log'));
    expect(files.parse('20261122_002.log')).toMatchObject({ period: '20261122', sequence: 2 });
    expect(new RollingFilePath(path.join(dir, '.log'), 'infinite').pathFor('', 0)).toBe(path.join(dir, '.log'));
    // A name with a dot after the first has a name part, as in .NET.
    expect(new RollingFilePath(path.join(dir, '.app.log'), 'day').pathFor('20261122', 0)).toBe(
      path.join(dir, '.app20261122.log'),
    );
  });

  // Node's path.parse reads the trailing dot as the extension: the set was `app20261122.` and
  // `app20261122_001.` (a name Windows cannot keep: it drops the dot, so the listing never found
  // them). .NET's Path.GetExtension reads no extension there, and Serilog names them `app20261122`.
  it('names the files of a base path ending in a dot (app.) as Serilog does: no extension, no dot', () => {
    const files = new RollingFilePath(path.join(dir, 'logs/app.'), 'day');
    expect(files.pathFor('20261122', 0)).toBe(path.join(dir, 'logs/app20261122'));
    expect(files.pathFor('20261122', 1)).toBe(path.join(dir, 'logs/app20261122_001'));
    expect(files.parse('app20261122_001')).toMatchObject({ period: '20261122', sequence: 1 });
    expect(files.parse('app20261122.')).toBeUndefined();
    // Only the last dot is the (empty) extension, as in .NET: `app..` is `app.` and its period.
    expect(new RollingFilePath(path.join(dir, 'app..'), 'day').pathFor('20261122', 0)).toBe(path.join(dir, 'app.20261122'));
    expect(new RollingFilePath(path.join(dir, 'app.'), 'infinite').pathFor('', 1)).toBe(path.join(dir, 'app_001'));
    // A sink that does not roll writes its path as given.
    expect(new RollingFilePath(path.join(dir, 'app.'), 'infinite', false).pathFor('', 0)).toBe(path.join(dir, 'app.'));
  });

  it('names infinite sets without a period', () => {
    const files = new RollingFilePath(path.join(dir, 'app.log'), 'infinite');
    expect(files.pathFor('', 0)).toBe(path.join(dir, 'app.log'));
    expect(files.pathFor('', 2)).toBe(path.join(dir, 'app_002.log'));
  });

  it('parses names of its own set only', () => {
    const files = new RollingFilePath(path.join(dir, 'app-.log'), 'hour');
    expect(files.parse('app-2026112215.log')).toMatchObject({ period: '2026112215', sequence: 0 });
    expect(files.parse('app-2026112215_007.log')).toMatchObject({ period: '2026112215', sequence: 7 });
    expect(files.parse('app-20261122.log')).toBeUndefined();
    expect(files.parse('app-2026112215.log.gz')).toBeUndefined();
    expect(files.parse('other-2026112215.log')).toBeUndefined();
    expect(files.parse('app-2026112215_07.log')).toBeUndefined();
  });

  it('takes a sequence spelt otherwise than the sink spells it (_000, _0001) for another file', () => {
    const files = new RollingFilePath(path.join(dir, 'app-.log'), 'day');
    expect(files.parse('app-20261122_1000.log')).toMatchObject({ period: '20261122', sequence: 1000 });
    for (const name of ['app-20261122_000.log', 'app-20261122_0001.log', 'app-20261122_01000.log'])
      expect(files.parse(name)).toBeUndefined();
  });

  it('takes a name whose period is not a time of its interval for another file', () => {
    const files = new RollingFilePath(path.join(dir, 'app-.log'), 'minute');
    expect(files.parse('app-202611221559.log')).toMatchObject({ period: '202611221559', sequence: 0 });
    expect(files.parse('app-202612312359_002.log')).toMatchObject({ period: '202612312359', sequence: 2 });
    for (const name of [
      'app-999999999999.log',
      'app-202613221559.log',
      'app-202611311559.log',
      'app-202611222459.log',
      'app-202611221560.log',
      'app-000000000000.log',
    ])
      expect(files.parse(name)).toBeUndefined();
    expect(new RollingFilePath(path.join(dir, 'app-.log'), 'day').parse('app-20280229.log')).toMatchObject({
      period: '20280229',
      sequence: 0,
    });
    expect(new RollingFilePath(path.join(dir, 'app-.log'), 'day').parse('app-20270229.log')).toBeUndefined();
    expect(new RollingFilePath(path.join(dir, 'app-.log'), 'month').parse('app-202600.log')).toBeUndefined();
  });

  it('gives the end of the period a name holds: no event in the file is later', () => {
    expect(new RollingFilePath(path.join(dir, 'app-.log'), 'day').parse('app-20261231_003.log')?.endMs).toBe(
      Date.UTC(2027, 0, 1),
    );
    expect(new RollingFilePath(path.join(dir, 'app-.log'), 'hour').parse('app-2026112215.log')?.endMs).toBe(
      Date.UTC(2026, 10, 22, 16),
    );
    expect(new RollingFilePath(path.join(dir, 'app.log'), 'infinite').parse('app_002.log')?.endMs).toBe(Infinity);
  });

  it('treats regular-expression characters in the name literally', () => {
    const files = new RollingFilePath(path.join(dir, 'a.b+(c)-.log'), 'year');
    expect(files.parse('a.b+(c)-2026.log')).toMatchObject({ period: '2026', sequence: 0 });
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

  // Found by review: sorted as text, a year past 9999 (`+010000`, ISO 8601's expanded form) came
  // before 2026 and one before year 0 (`-000001`) after it, so retention deleted the newest files.
  it('lists the set oldest first by time, years outside 0000-9999 in their place', () => {
    const files = new RollingFilePath(path.join(dir, 'app-.log'), 'day');
    for (const name of [
      'app-+0100000101.log',
      'app-20261122.log',
      'app-+0100000102.log',
      'app--0000011231.log',
      'app-99991231_001.log',
    ])
      fs.writeFileSync(path.join(dir, name), '');
    expect(files.list().map((f) => path.basename(f.path))).toEqual([
      'app--0000011231.log',
      'app-20261122.log',
      'app-99991231_001.log',
      'app-+0100000101.log',
      'app-+0100000102.log',
    ]);
  });

  it('lists nothing when the folder does not exist', () => {
    expect(new RollingFilePath(path.join(dir, 'missing/app.log'), 'day').list()).toEqual([]);
  });
});
