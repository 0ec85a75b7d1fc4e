import type { LogLevelName } from '../core/log-level';
import type { MessageTemplate } from '../core/message-template';
import { LogEventRecord } from '../templates/log-event-record';
import { alignText, cutRendering, MAX_RENDERED_LENGTH, type RenderMemo, renderPropertyToken } from '../templates/render-template';
import { LINE_RENDERINGS } from './line-renderings';

/**
 * An event read from a CLEF line with `@r`: a formatted hole whose property is a string, number,
 * boolean or bigint renders as the line's rendering for it, as Serilog's reader (its
 * `RenderableScalarValue`) and Seq do, so a format rxlog renders otherwise (`C`, a culture's
 * `12,50`, a Date read back as its ISO string) shows as the producer wrote it; and
 * `CompactJsonFormatter` writes those renderings back as they were. Its message is bounded as
 * `renderTemplate`'s is: past 2^28 code units, cut and marked `…[truncated]`.
 */
export class RenderedEvent extends LogEventRecord {
  readonly #renderings: readonly (string | undefined)[];
  #message: string | undefined;

  /** @param renderings The line's `@r`, one per formatted hole of `template`, in hole order. */
  constructor(
    timestamp: Date | number,
    level: LogLevelName,
    template: MessageTemplate,
    properties: Readonly<Record<string, unknown>>,
    exception: Error | undefined,
    renderings: readonly string[],
  ) {
    super(timestamp, level, template, properties, exception);
    const kept: (string | undefined)[] = [];
    for (const token of template.tokens) {
      if (token.kind !== 'property' || token.format === undefined) continue;
      const rendering = renderings[kept.length];
      const type = Object.hasOwn(properties, token.name) ? typeof properties[token.name] : 'undefined';
      kept.push(
        typeof rendering === 'string' && (type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint')
          ? rendering
          : undefined,
      );
    }
    this.#renderings = kept;
  }

  /** The renderings kept from the line (see `lineRenderings`). A getter, so a spread copy of the event does not carry them. */
  get [LINE_RENDERINGS](): readonly (string | undefined)[] {
    return this.#renderings;
  }

  override renderMessage(): string {
    if (this.#message === undefined) this.#message = this.#render();
    return this.#message;
  }

  #render(): string {
    const tokens = this.messageTemplate.tokens;
    let out = '';
    let formatted = 0;
    const memo: RenderMemo = {};
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      let piece: string;
      if (token.kind === 'text') piece = token.text;
      else {
        const rendering = token.format === undefined ? undefined : this.#renderings[formatted++];
        piece =
          rendering !== undefined ? alignText(rendering, token.alignment) : renderPropertyToken(token, this.properties, memo);
      }
      // As renderTemplate does: stop at the longest message and mark the cut.
      if (piece.length > MAX_RENDERED_LENGTH - out.length) return cutRendering(out, piece, MAX_RENDERED_LENGTH - out.length);
      out += piece;
    }
    return out;
  }
}
