import { ConfigurationError } from '../../core/errors/configuration-error';
import type { Formatter } from '../../core/sink';
import { CLEF_CONTENT_TYPE, HttpSink, type HttpSinkOptions } from './http-sink';
import { withHeader } from './with-header';

/** Options of {@link SeqSink}. */
export interface SeqSinkOptions extends Omit<
  HttpSinkOptions,
  'url' | 'body' | 'contentType' | 'method' | 'formatter' | 'beaconUrl' | 'beaconContentType'
> {
  /** The Seq server's base URL, e.g. `'http://127.0.0.1:5341'`. Required. */
  serverUrl: string;
  /** A Seq API key, sent as `X-Seq-ApiKey` (and as `apiKey` in the query string of beacons, which carry no headers). Default none. */
  apiKey?: string;
  /** The CLEF formatter; e.g. `new CompactJsonFormatter({ renderMessage: true })`. Default `new CompactJsonFormatter()`. */
  formatter?: Formatter;
}

/**
 * Sends batches to Seq's raw ingestion endpoint, `${serverUrl}/api/events/raw?clef`, as CLEF
 * lines: an HttpSink configured for Seq. Beacons go as `text/plain`, which needs no CORS
 * preflight; Seq reads the body as CLEF because of `?clef`.
 *
 * @example new SeqSink({ serverUrl: 'http://127.0.0.1:5341', apiKey: 'k' })
 */
export class SeqSink extends HttpSink {
  /** The default name of this sink in metrics and the shutdown report. */
  override readonly kind: string = 'seq';

  /** Batching when `writeTo.sink` gives none: Serilog's Seq sink's, 1 000 events or 2 s. */
  override readonly batchDefaults = { size: 1_000, maxDelayMs: 2_000 };

  /** @throws ConfigurationError naming the bad option. */
  constructor(options: SeqSinkOptions) {
    const url = `${seqServerUrl(options)}/api/events/raw?clef`;
    const apiKey = options.apiKey;
    if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey === ''))
      throw new ConfigurationError(`SeqSink.apiKey: expected a non-empty string, got ${JSON.stringify(apiKey)}`);
    super({
      ...options,
      url,
      contentType: CLEF_CONTENT_TYPE,
      headers: apiKey === undefined ? options.headers : withHeader(options.headers, 'X-Seq-ApiKey', apiKey),
      beaconUrl: apiKey === undefined ? url : `${url}&apiKey=${encodeURIComponent(apiKey)}`,
      beaconContentType: 'text/plain;charset=UTF-8',
    });
  }
}

function seqServerUrl(options: SeqSinkOptions): string {
  const serverUrl = (options as Partial<SeqSinkOptions> | null | undefined)?.serverUrl;
  if (typeof serverUrl !== 'string' || serverUrl.trim() === '')
    throw new ConfigurationError(
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined, functions and symbols
      `SeqSink.serverUrl: expected the Seq server's URL, got ${JSON.stringify(serverUrl) ?? String(serverUrl)}`,
    );
  return serverUrl.trim().replace(/\/+$/, '');
}
