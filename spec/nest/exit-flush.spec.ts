import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCompactJson } from '../../lib/formatting/read-compact-json';
import { plainEnv } from '../helpers/plain-env';

/** Runs the fixture to its end and reads back its log file: [SourceContext, message, exception's first line]. */
function run(mode: 'crash' | 'exit' | 'micro-crash'): Promise<{ code: number | null; logged: unknown[][] }> {
  const folder = mkdtempSync(join(tmpdir(), 'rxlog-nest-exit-'));
  const path = join(folder, 'app.log');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'fixtures', 'nest-exit-flush.ts'), path, mode],
      { cwd: join(__dirname, '..', '..'), env: plainEnv(), timeout: 90_000 },
      (error) => {
        try {
          // No file at all: nothing was written before the process ended.
          const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
          const logged = text
            .split('\n')
            .filter((line) => line !== '')
            .map(readCompactJson)
            .map((e) => [e.properties.SourceContext, e.renderMessage(), e.exception?.stack?.split('\n')[0]]);
          resolve({ code: (error as { code?: number } | null)?.code ?? 0, logged });
        } catch (failure) {
          reject(failure instanceof Error ? failure : new Error(String(failure)));
        } finally {
          rmSync(folder, { recursive: true, force: true });
        }
      },
    );
  });
}

// The FileSink holds a partial batch for up to 100 ms; a process that ends sooner (a crash at boot,
// process.exit in the bootstrap's catch) skips Nest's shutdown, so the module writes it at 'exit'.
describe('RxlogModule when the process ends without Nest’s shutdown (Nest 12, FileSink)', () => {
  jest.setTimeout(120_000);

  it('writes the boot messages and Nest’s listen error when app.listen fails and the rejection ends the process', async () => {
    const { code, logged } = await run('crash');

    expect(code).toBe(1);
    expect(logged).toContainEqual(['NestFactory', 'Starting Nest application...', undefined]);
    expect(logged).toContainEqual(['Bootstrap', 'Listening next', undefined]);
    expect(logged.some(([, message]) => String(message).includes('EADDRINUSE'))).toBe(true);
  });

  it('writes the boot messages and the listen error of a TCP microservice whose port is in use (bufferLogs)', async () => {
    const { code, logged } = await run('micro-crash');

    expect(code).toBe(1);
    expect(logged.slice(0, 4)).toEqual([
      ['NestFactory', 'Starting Nest application...', undefined],
      ['InstanceLoader', 'AppModule dependencies initialized', undefined],
      ['InstanceLoader', 'RxlogModule dependencies initialized', undefined],
      ['Bootstrap', 'Listening next', undefined],
    ]);
    expect(logged.some(([, , exception]) => String(exception).includes('EADDRINUSE'))).toBe(true);
  });

  it('writes what the bootstrap’s catch logs before it calls process.exit(1)', async () => {
    const { code, logged } = await run('exit');

    expect(code).toBe(1);
    expect(logged).toContainEqual(['NestFactory', 'Starting Nest application...', undefined]);
    expect(logged.at(-1)).toEqual(['Bootstrap', 'Could not start', expect.stringContaining('EADDRINUSE')]);
  });
});
