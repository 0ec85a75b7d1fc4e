import { readGuarded } from '../../core/read-options';
import { IsoTimestampCache } from '../../formatting/iso-timestamp-cache';
import { TextFormatter } from '../../formatting/text-formatter';

/**
 * Which of rxlog's formatters that write no CLEF `formatter` is: `'a TextFormatter'` (plain text
 * lines), `'an NdjsonFormatter'` (JSON lines, under other names), or `''` for any other (an app's
 * own is taken). Size: NdjsonFormatter is told by its timestamp cache, which no other formatter
 * shows, not by instanceof, which would bring its class into every bundle.
 *
 * @throws ConfigurationError naming `where` when reading the formatter throws (a hostile Proxy).
 */
export function plainFormatter(where: string, formatter: unknown): '' | 'a TextFormatter' | 'an NdjsonFormatter' {
  return readGuarded(where, 'the formatter', () =>
    formatter instanceof TextFormatter
      ? 'a TextFormatter'
      : (formatter as { times?: unknown } | null | undefined)?.times instanceof IsoTimestampCache
        ? 'an NdjsonFormatter'
        : '',
  );
}
