import { collectSelfLog } from '../../helpers/self-log';

/**
 * POSTs one CLEF event to `url` for each address of `forged`, in turn, with that address as its
 * X-Forwarded-For; resolves with the statuses and the SelfLog lines written meanwhile that hold
 * `notice`.
 */
export async function postForged(
  url: string,
  forged: readonly string[],
  notice: string,
): Promise<{ statuses: number[]; notices: string[] }> {
  const { diagnostics, stop } = collectSelfLog();
  try {
    const statuses: number[] = [];
    for (const address of forged) {
      const response = await fetch(url, {
        method: 'POST',
        body: JSON.stringify({ '@mt': 'From {Address}', Address: address }),
        headers: { 'Content-Type': 'application/vnd.serilog.clef', 'X-Forwarded-For': address },
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    return { statuses, notices: diagnostics.map((event) => event.message).filter((text) => text.includes(notice)) };
  } finally {
    stop();
  }
}
