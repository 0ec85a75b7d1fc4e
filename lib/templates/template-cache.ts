import { ownText } from '../core/own-text';
import { expectOption } from '../core/expect-option';
import type { MessageTemplate } from '../core/message-template';
import { parseTemplate } from './parse-template';
import { needsNoEscape } from './safe-json';
import { SelfLog } from '../core/self-log';

/** Bounds of a template cache. */
export interface TemplateCacheOptions {
  /**
   * Most templates kept (`0`: none); when a new one would exceed it, the whole cache is cleared. Default `1000`, as
   * Serilog's. Once it has been cleared so, a new text is kept the second time it is met (see {@link TemplateCache}).
   */
  maxEntries?: number | undefined;
  /** Longest template text cached, in UTF-16 code units; longer texts are parsed every time. Default `4096`. */
  maxTextLength?: number | undefined;
  /**
   * Most template text held in all, in UTF-16 code units, each template counting its length plus 32 per token (what
   * its parsed tokens weigh), and six times its length more for a text with a character JSON escapes (what the escaped
   * copy a CLEF formatter keeps of it can weigh); when a new one would exceed it, the whole cache is cleared. Default `4194304` (4 Mi:
   * 10 000 templates of about 100 characters and 10 tokens, a few megabytes of memory; 1000 such weigh a tenth).
   */
  maxTotalLength?: number | undefined;
}

function wholeNumber(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  expectOption(Number.isSafeInteger(value) && value >= 0, `TemplateCache.${option}`, 'a whole number ≥ 0', value);
  return value;
}

/** Whether a cache's first overflow was told to SelfLog (once a process). */
let overflowTold = false;

/** Slots of the table of texts met once: 4096 hashes, 16 KiB, made when a cache first overflows. */
const SEEN_SLOTS = 4096;

/** A 32-bit FNV-1a hash of the text's UTF-16 code units, never 0 (an empty slot). */
function textHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash | 1;
}

/**
 * A bounded cache of parsed templates, keyed by template text.
 *
 * When full it is cleared rather than evicting one entry (Serilog's policy): a hit stays a single
 * `Map` lookup with no bookkeeping, and a program that logs more distinct templates than the bound
 * (usually by building template text from data) re-parses instead of growing without limit.
 *
 * Once it has been cleared so, it keeps a new text only the second time it meets it (among about
 * the last 4096 texts it did not keep): a text built from data (`` `User ${id} did {Action}` ``),
 * met once, is parsed and not kept. Keeping each such text until the next clear cost it three times
 * its parse (in the garbage collector's copying of what lived past the young generation), and its
 * stream cleared out the templates in use every `maxEntries` calls; now those stay cached.
 *
 * It keeps a copy of each text it keeps, so a template cut from a longer string (a line of a chunk
 * read from a stream) does not keep that string alive.
 */
export class TemplateCache {
  readonly #templates = new Map<string, MessageTemplate>();
  readonly #maxEntries: number;
  readonly #maxTextLength: number;
  readonly #maxTotalLength: number;
  #totalLength = 0;
  /** After the first overflow: hashes of texts met once and not kept, by slot; undefined until then. */
  #seen: Int32Array | undefined;

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
    // Parsed from a copy of its own (see ownText), kept or not: a 40-character template cut from a 1 MiB chunk
    // (`body.slice(0, 80)`, a line of `chunk.split('\n')`), cached as it was, kept the whole megabyte (as key and in its
    // tokens' texts), a full cache a gigabyte; one not kept, a line logged as its own template, kept it in each queued event.
    // A template that could not be held even alone is not (maxEntries 0 holds none).
    if (text.length > this.#maxTextLength || this.#maxEntries === 0 || !this.#admits(text)) return parseTemplate(ownText(text));
    const parsed = parseTemplate(ownText(text));
    // Bounded by weight as well as count: 10 000 templates of 4 096 characters, dense with holes, held 1.75 GB. The
    // escaped `@mt` the CLEF formatter keeps with a template is weighed too: 1000 of 4 096 control characters held 28 MB.
    // A text with a character JSON escapes counts six times its length more, the most its escape (`\u0001`) can be: an exact
    // count, character by character, cost 40 bytes of bundle more for a cache that holds few such texts either way.
    const length = text.length * (needsNoEscape(text) ? 1 : 7) + 32 * parsed.tokens.length;
    if (length <= this.#maxTotalLength) {
      if (this.#templates.size >= this.#maxEntries || this.#totalLength + length > this.#maxTotalLength) {
        // Told once a process: the usual cause, template text built from data, is otherwise seen only as slower calls.
        if (!overflowTold)
          SelfLog.write(
            'The template cache overflowed ({Count} templates): is template text built from data? Pass values as arguments ("User {Id} signed in", id)',
            this.#templates.size,
          );
        overflowTold = true;
        this.clear();
        this.#seen = new Int32Array(SEEN_SLOTS);
      }
      this.#templates.set(parsed.text, parsed);
      this.#totalLength += length;
    }
    return parsed;
  }

  /** Whether to keep `text`: always before the first overflow, after it the second time the text is met. */
  #admits(text: string): boolean {
    const seen = this.#seen;
    if (seen === undefined) return true;
    const hash = textHash(text);
    const slot = (hash >>> 1) & (SEEN_SLOTS - 1);
    if (seen[slot] === hash) return true;
    // A text that takes another's slot pushes it out: that one is kept once met twice with no other taking its slot between.
    seen[slot] = hash;
    return false;
  }

  /** How many templates are cached. */
  get size(): number {
    return this.#templates.size;
  }

  /** Forgets every cached template, and the texts met once: the next new text is kept at once again. */
  clear(): void {
    this.#templates.clear();
    this.#totalLength = 0;
    this.#seen = undefined;
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
