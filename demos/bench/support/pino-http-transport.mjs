// A pino transport (runs in pino's worker thread) that posts NDJSON batches of up to 512 lines,
// one request at a time, as a log shipper would: the pino side of scenario 11.
import build from 'pino-abstract-transport';

export default async function (options) {
  const url = options.url;
  let batch = [];
  let sending = Promise.resolve();
  const send = (lines) => {
    sending = sending.then(() =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines.join('\n') + '\n' }).then(
        (response) => response.arrayBuffer(),
      ),
    );
  };
  return build(
    async function (source) {
      for await (const line of source) {
        batch.push(typeof line === 'string' ? line : JSON.stringify(line));
        if (batch.length >= 512) {
          send(batch);
          batch = [];
        }
      }
    },
    {
      parse: 'lines',
      async close() {
        if (batch.length > 0) send(batch);
        batch = [];
        await sending;
      },
    },
  );
}
