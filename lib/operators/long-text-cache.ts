/** What is remembered of one long string: its size as `textBytes` counts it, and its last cut. */
interface LongTextEntry {
  readonly text: string;
  readonly bytes: number;
  /** The `keep` of the last cut, and what it gave; `-1` before any. */
  keep: number;
  cut: string;
}

/**
 * The sizes and cuts of the last few long strings `estimateEventBytes` and `truncateEvent` saw,
 * so that an oversized string logged again and again (a fixed property of `forContext`, the same
 * request body on each retry) is measured and cut once, not on every event: measuring a 5 MB
 * string reads all of it, several times per event. Most recently used first; at most `slots`
 * strings are held (strongly: a string cannot be held weakly), each until `slots` other long
 * strings have been seen. A string is found by `===`, which compares the same string at once and
 * an equal copy by its content, both far cheaper than measuring it.
 *
 * Past the task that measured it (on a microtask), a string longer than `keepLength` is let go:
 * it is measured once per task rather than once per event, and does not outlive its event for
 * good (one body of 100 MB logged once was held until `slots` other long strings came).
 */
export class LongTextCache {
  #entries: LongTextEntry[] = [];
  #trimming = false;

  /**
   * @param slots Most strings held, a positive integer.
   * @param minLength Shortest string remembered, in UTF-16 code units; shorter ones cost less to measure than to look up.
   * @param keepLength Longest string held past the task that saw it, in UTF-16 code units.
   */
  constructor(
    readonly slots: number,
    readonly minLength: number,
    readonly keepLength: number,
  ) {}

  /** How many strings the cache holds now (at most `slots`). */
  get size(): number {
    return this.#entries.length;
  }

  /** `measure(text)`, remembered for a long `text`. */
  bytes(text: string, measure: (text: string) => number): number {
    if (text.length < this.minLength) return measure(text);
    return (this.#find(text) ?? this.#add(text, measure(text))).bytes;
  }

  /** `cutText(text, keep)`, remembered (with `text`'s size from `measure`) for a long `text`. */
  cut(text: string, keep: number, measure: (text: string) => number, cutText: (text: string, keep: number) => string): string {
    if (text.length < this.minLength) return cutText(text, keep);
    const entry = this.#find(text) ?? this.#add(text, measure(text));
    if (entry.keep !== keep) {
      entry.cut = cutText(text, keep);
      entry.keep = keep;
    }
    return entry.cut;
  }

  #find(text: string): LongTextEntry | undefined {
    const entries = this.#entries;
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index];
      if (entry.text.length === text.length && entry.text === text) {
        if (index > 0) {
          entries.splice(index, 1);
          entries.unshift(entry);
        }
        return entry;
      }
    }
    return undefined;
  }

  #add(text: string, bytes: number): LongTextEntry {
    const entry: LongTextEntry = { text, bytes, keep: -1, cut: '' };
    this.#entries.unshift(entry);
    if (this.#entries.length > this.slots) this.#entries.length = this.slots;
    if (text.length > this.keepLength && !this.#trimming) {
      this.#trimming = true;
      void Promise.resolve().then(() => this.#trim());
    }
    return entry;
  }

  /** Lets go of the strings longer than `keepLength`. */
  #trim(): void {
    this.#trimming = false;
    this.#entries = this.#entries.filter((entry) => entry.text.length <= this.keepLength);
  }
}
