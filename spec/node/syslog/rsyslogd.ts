import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyslogSink } from '../../../lib/node/syslog/syslog-sink';
import { makeEvent } from '../../helpers/events';

/*
 * What rsyslogd 8.2302 (Debian's) does that the specs against it work around, each explained where
 * it is:
 * - imtcp's OpenSSL driver (ossl) admits under AuthMode x509/name a certificate of its CA holding
 *   another name (rsyslog issue #6350): that refusal is checked against GnuTLS's driver only
 *   (syslog-rsyslog-tls.spec). Still so: with ossl too, the event was delivered.
 * - librelp's GnuTLS code admits under imrelp's tls.authmode="certvalid" a certificate of any CA:
 *   that refusal is checked with tls.tlslib="openssl" only (syslog-relp-tls-rsyslog.spec). Still
 *   so: with gnutls too, the event was delivered.
 * - The ossl driver does not always print its "unexpected eof while reading" for a connection
 *   closed without close_notify: the specs look for its session's close instead (NO_CLOSE_NOTIFY).
 * - librelp reports the errors of sessions it refused late, into the output of later tests: the
 *   test that expects a clean close's output to be empty runs before those refusals.
 * - rsyslog checks a sender's certificate only after its own side of a TLS 1.3 handshake is done,
 *   then closes: that is why transport 'tls' waits a settle time (lib, not a spec workaround).
 */

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

/**
 * Sends batches of three through a TCP or TLS `sink` to an rsyslogd started here in `dir` with
 * `config` (writing each message's text to `outputFile`), stops it `rounds` times while a batch is
 * being written (SIGTERM at once: the batch goes out while rsyslogd shuts down) and starts it
 * again, then checks that every batch counted delivered is in rsyslogd's output. Closes `sink`,
 * stops rsyslogd and removes `dir`.
 */
export async function expectBatchesAcrossRestarts(
  sink: SyslogSink,
  start: { readonly dir: string; readonly config: readonly string[]; readonly outputFile: string; readonly waitMs: number },
  pollUntil: <T>(check: () => T | undefined | Promise<T | undefined>, describe: () => string) => Promise<T>,
  options: { readonly tag: string; readonly rounds: number },
): Promise<void> {
  const received = (): string[] => (existsSync(start.outputFile) ? readFileSync(start.outputFile, 'utf8').split('\n') : []);
  let own = startRsyslogd(start.dir, start.config, start.waitMs);
  /** The messages of every batch counted delivered. */
  const delivered: string[] = [];
  let batches = 0;
  /** Sends a batch of three; whether it counted delivered. */
  const send = async (): Promise<boolean> => {
    const texts = [0, 1, 2].map((i) => `batch ${batches} event ${i} ${options.tag}`);
    batches++;
    try {
      await sink.emit(texts.map((text) => makeEvent({ text })));
    } catch {
      return false;
    }
    delivered.push(...texts);
    return true;
  };
  // Up once a batch is delivered (sends until then fail, refused).
  const up = (): Promise<true> =>
    pollUntil(
      async () => ((await send()) ? true : undefined),
      () => `rsyslogd did not take a connection; its output:\n${own.output()}`,
    );
  try {
    await up();
    for (let round = 0; round < options.rounds; round++) {
      await send();
      const stopped = own.stop();
      await send();
      await stopped;
      own = startRsyslogd(start.dir, start.config, start.waitMs);
      await up();
    }
    await sink.close();
    const last = delivered[delivered.length - 1];
    await pollUntil(
      () => (received().includes(last) ? true : undefined),
      () => `the last batch did not reach rsyslogd; its output:\n${own.output()}`,
    );
    const lines = received();
    expect(delivered.filter((text) => !lines.includes(text))).toEqual([]);
  } finally {
    await sink.close();
    await own.stop();
    rmSync(start.dir, { recursive: true, force: true });
  }
}
