import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isWouldBlock, LogFile } from '../../../lib/node/file/log-file';

describe('LogFile', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates missing folders and appends to what is there', () => {
    const filePath = path.join(dir, 'a/b/app.log');
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
    fs.writeFileSync(filePath, 'old\n');
    const file = LogFile.open(filePath);
    expect(file.size).toBe(4);
    expect(file.write(Buffer.from('new\n'), 0)).toBe(4);
    file.close();
    expect(fs.readFileSync(filePath, 'utf8')).toBe('old\nnew\n');
  });

  it('creates the folders of a new file', () => {
    const file = LogFile.open(path.join(dir, 'x/y/z.log'));
    file.write(Buffer.from('abc'), 1);
    expect(file.size).toBe(2);
    file.close();
    expect(fs.readFileSync(path.join(dir, 'x/y/z.log'), 'utf8')).toBe('bc');
  });

  it('tells regular files from devices', () => {
    const file = LogFile.open(path.join(dir, 'app.log'));
    const device = LogFile.open('/dev/null');
    expect([file.regular, device.regular]).toEqual([true, false]);
    device.write(Buffer.from('gone'), 0);
    expect(device.size).toBe(0);
    device.sync();
    file.close();
    device.close();
  });

  it('notices when its file is deleted or replaced', () => {
    const filePath = path.join(dir, 'app.log');
    const file = LogFile.open(filePath);
    expect(file.isStale()).toBe(false);
    fs.renameSync(filePath, `${filePath}.1`);
    expect(file.isStale()).toBe(true);
    fs.writeFileSync(filePath, '');
    expect(file.isStale()).toBe(true);
    file.close();
    file.close();
  });
});

describe('isWouldBlock', () => {
  it('recognises EAGAIN and EWOULDBLOCK only', () => {
    expect(isWouldBlock(Object.assign(new Error('x'), { code: 'EAGAIN' }))).toBe(true);
    expect(isWouldBlock(Object.assign(new Error('x'), { code: 'EWOULDBLOCK' }))).toBe(true);
    expect(isWouldBlock(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe(false);
    expect(isWouldBlock(undefined)).toBe(false);
  });
});
