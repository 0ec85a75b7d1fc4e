import type { SpawnSyncReturns } from 'node:child_process';

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
