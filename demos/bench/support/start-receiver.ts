import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/** A running receiver process (see http-receiver.ts) and how to read its counts. */
export interface Receiver {
  readonly url: string;
  stats(): Promise<{ events: number; bodyBytes: number; requests: number }>;
  stop(): void;
}

/** Starts the receiver bundle beside this scenario's bundle in its own Node process on 127.0.0.1. */
export function startReceiver(): Promise<Receiver> {
  const script = path.join(__dirname, 'http-receiver.js');
  const child: ChildProcess = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.on('error', reject);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (!text.includes('\n')) return;
      const url = `http://127.0.0.1:${Number(text.trim())}`;
      resolve({
        url,
        async stats() {
          const response = await fetch(`${url}/stats`);
          return (await response.json()) as { events: number; bodyBytes: number; requests: number };
        },
        stop() {
          child.kill();
        },
      });
    });
  });
}

/** Polls the receiver until it has `n` events or nothing new arrived for `quietMs`; returns the last counts. */
export async function awaitEvents(
  receiver: Receiver,
  n: number,
  quietMs = 2_000,
): Promise<{ events: number; bodyBytes: number; requests: number }> {
  let last = await receiver.stats();
  let changedAt = Date.now();
  while (last.events < n && Date.now() - changedAt < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const now = await receiver.stats();
    if (now.events !== last.events) changedAt = Date.now();
    last = now;
  }
  return last;
}
