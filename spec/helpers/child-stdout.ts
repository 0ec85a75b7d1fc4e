import { spawn, type SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';

/**
 * What a child process run with `spawnSync` wrote on stdout, or an error that says why it wrote
 * nothing: killed at its `timeout` (spawnSync's ETIMEDOUT and the signal), another signal, or its
 * exit code, with its stderr. Before, such a child failed the spec with an empty message.
 */
export function childStdout(child: SpawnSyncReturns<string>): string {
  if (child.stdout !== '') return child.stdout;
  const ended =
    child.error !== undefined
      ? `${child.error.message}${child.signal === null ? '' : `, ${child.signal}`}`
      : child.signal !== null
        ? `killed by ${child.signal}`
        : `exit code ${String(child.status)}`;
  throw new Error(`the child process wrote nothing on stdout (${ended})${child.stderr === '' ? '' : `:\n${child.stderr}`}`);
}

/**
 * Runs a TypeScript fixture (through tsx) with `args` as `node app 2>&1 | reader`: stdout and
 * stderr are one pipe, read by a slow reader that waits 5 ms after each chunk, so the pipe is full
 * again and again. Resolves with the exit code and all the reader got; the child is killed after
 * 30 s.
 */
export async function readMergedSlowly(fixture: string, args: string): Promise<{ code: number | null; text: string }> {
  const child = spawn('/bin/sh', ['-c', `exec "${process.execPath}" --import tsx "${fixture}" ${args} 2>&1`], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 5);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  return { code, text };
}
