import { spawn } from 'node:child_process';
import { RESULT_PREFIX, type ScenarioResult } from './report-result';

/** How one child run ended: its result line, or why there is none. */
export type ChildOutcome =
  { readonly ok: true; readonly result: ScenarioResult } | { readonly ok: false; readonly error: string };

/**
 * Runs `node script ...args` in a fresh process and reads its result line. A child that exits
 * without one, exits non-zero or outlives `timeoutMs` (it is then killed) is a failed run, with
 * the tail of its stderr as the reason.
 */
export function spawnChild(
  script: string,
  args: readonly string[],
  timeoutMs: number,
  nodeArgs: readonly string[] = [],
): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, error: error.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((text) => text.startsWith(RESULT_PREFIX));
      if (timedOut) resolve({ ok: false, error: `killed after ${timeoutMs} ms` });
      else if (code !== 0 || line === undefined)
        resolve({
          ok: false,
          error: `exit ${String(code ?? signal)}: ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no result line'}`,
        });
      else resolve({ ok: true, result: JSON.parse(line.slice(RESULT_PREFIX.length)) as ScenarioResult });
    });
  });
}
