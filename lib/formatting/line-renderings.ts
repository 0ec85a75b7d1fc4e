/**
 * The key under which an event read from a CLEF line (a `RenderedEvent`) holds the line's `@r`
 * renderings, one per formatted hole of its template, in hole order; undefined where the line
 * had none for a hole or its property is not a scalar. `CompactJsonFormatter` writes them back as
 * they were rather than rendering them again: a Date property reads back as its ISO string, and
 * a format rxlog lacks (.NET's `C`) renders otherwise.
 */
// No description: the browser bundle carries every byte of it.
export const LINE_RENDERINGS: unique symbol = Symbol();

/** An event that may carry the renderings of the line it was read from. */
export interface MaybeRenderedEvent {
  /** See {@link LINE_RENDERINGS}. */
  readonly [LINE_RENDERINGS]?: readonly (string | undefined)[] | undefined;
}
