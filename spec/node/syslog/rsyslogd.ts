import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian's rsyslog package puts the daemon. */
export const RSYSLOGD = '/usr/sbin/rsyslogd';

/** A real rsyslogd in the foreground, on a configuration of its own in a temp folder. */
export interface Rsyslogd {
  /** What it wrote to stdout and stderr so far, and its exit, for a failing test's message. */
  output(): string;
  /** SIGTERM, then SIGKILL after `waitMs`; resolves once it exited. */
  stop(): Promise<void>;
}

/**
 * Writes `config` (rsyslog's configuration lines) to `dir`/rsyslog.conf and starts rsyslogd on
 * it, its pid file in `dir` too: no system configuration, pid file, spool or /dev/log is touched.
 */
export function startRsyslogd(dir: string, config: readonly string[], waitMs: number): Rsyslogd {
  const file = join(dir, 'rsyslog.conf');
  writeFileSync(file, [...config, ''].join('\n'));
  let log = '';
  const child: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', file, '-i', join(dir, 'rsyslogd.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.on('exit', (code) => (log += `\n[rsyslogd exited with ${code}]`));
  return {
    output: () => log,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), waitMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
