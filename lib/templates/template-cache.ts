import { expectOption } from '../core/expect-option';
import type { MessageTemplate } from '../core/message-template';
import { parseTemplate } from './parse-template';

/** Bounds of a template cache. */
export interface TemplateCacheOptions {
  /** Most templates kept (`0`: none); when a new one would exceed it, the whole cache is cleared. Default `1000`, as Serilog's. */
  maxEntries?: number | undefined;
  /** Longest template text cached, in UTF-16 code units; longer texts are parsed every time. Default `4096`. */
  maxTextLength?: number | undefined;
  /**
   * Most template text held in all, in UTF-16 code units, each template counting its length plus 32 per token (what
   * its parsed tokens weigh); when a new one would exceed it, the whole cache is cleared. Default `4194304` (4 Mi:
   * 10 000 templates of about 100 characters and 10 tokens, a few megabytes of memory; 1000 such weigh a tenth).
   */
  maxTotalLength?: number | undefined;
}

function wholeNumber(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  expectOption(Number.isSafeInteger(value) && value >= 0, `TemplateCache.${option}`, 'a whole number ≥ 0', value);
  return value;
}

/**
 * A bounded cache of parsed templates, keyed by template text.
 *
 * When full it is cleared rather than evicting one entry (Serilog's policy): a hit stays a single
 * `Map` lookup with no bookkeeping, and a program that logs more distinct templates than the bound
 * (usually by building template text from data) re-parses instead of growing without limit.
 */
export class TemplateCache {
  readonly #templates = new Map<string, MessageTemplate>();
  readonly #maxEntries: number;
  readonly #maxTextLength: number;
  readonly #maxTotalLength: number;
  #totalLength = 0;

  /** @throws ConfigurationError when a bound is not a whole number ≥ 0 (NaN would let the cache grow without limit). */
  constructor(options: TemplateCacheOptions = {}) {
    this.#maxEntries = wholeNumber('maxEntries', options.maxEntries, 1000);
    this.#maxTextLength = wholeNumber('maxTextLength', options.maxTextLength, 4096);
    this.#maxTotalLength = wholeNumber('maxTotalLength', options.maxTotalLength, 4 * 1024 * 1024);
  }

  /** The parsed template for `text`, from the cache when it is there. */
  parse(text: string): MessageTemplate {
    // Hot path: one Map lookup on a hit.
    const hit = this.#templates.get(text);
    if (hit !== undefined) return hit;
    const parsed = parseTemplate(text);
    // Bounded by weight as well as count: 10 000 templates of 4 096 characters, dense with holes, held 1.75 GB.
    const length = text.length + 32 * parsed.tokens.length;
    // A template that could not be held even alone is not (maxEntries 0 holds none).
    if (text.length <= this.#maxTextLength && this.#maxEntries > 0 && length <= this.#maxTotalLength) {
      if (this.#templates.size >= this.#maxEntries || this.#totalLength + length > this.#maxTotalLength) this.clear();
      this.#templates.set(text, parsed);
      this.#totalLength += length;
    }
    return parsed;
  }

  /** How many templates are cached. */
  get size(): number {
    return this.#templates.size;
  }

  /** Forgets every cached template. */
  clear(): void {
    this.#templates.clear();
    this.#totalLength = 0;
  }
}

const shared = new TemplateCache();

/**
 * Parses a template through the process-wide cache (1000 templates, texts up to 4096 chars, 4 Mi in all):
 * what the logger calls on every event.
 *
 * @example parseTemplateCached('Hello {Name}') === parseTemplateCached('Hello {Name}') // true
 */
export function parseTemplateCached(text: string): MessageTemplate {
  return shared.parse(text);
}
