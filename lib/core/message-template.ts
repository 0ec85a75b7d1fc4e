/** Literal text between holes, with `{{` and `}}` already unescaped. */
export interface TextToken {
  readonly kind: 'text';
  readonly text: string;
}

/** How a hole captures its argument: as is, destructured (`@`) or stringified (`$`). */
export type Capturing = 'default' | 'structure' | 'stringify';

/** A hole such as `{@User,-10:000}`. */
export interface PropertyToken {
  readonly kind: 'property';
  /** The property name (`User`, or `0` for a positional hole). */
  readonly name: string;
  /** The hole exactly as written, braces included; rendered when the property is missing. */
  readonly raw: string;
  readonly capturing: Capturing;
  /** The format after `:`, if any (`000`, `HH:mm`, `lj`). */
  readonly format?: string | undefined;
  /** The width after `,`: negative pads on the right (left-aligns), positive pads on the left. */
  readonly alignment?: number | undefined;
  /** The index of a positional hole (`{0}` is 0); undefined for a named hole. */
  readonly position?: number | undefined;
}

/** One piece of a parsed template: literal text, or a hole bound to a property. */
export type TemplateToken = TextToken | PropertyToken;

/**
 * Longest template text a logger parses, in UTF-16 code units (128 Ki): a longer one is cut to it,
 * with `…[truncated N chars]` (N counting the template's characters cut, a `{{` as two), before it
 * is parsed. Parsing is linear in the text's length, but a megabyte dense with braces (a JSON body
 * logged as a message) took most of a second in the log call; no sink writes so long a text whole
 * by default (a queued event over 256 KiB is cut), and a body logged as a property is cut at 64 Ki
 * characters. Twice that, so a 64 Ki-character message whose braces are doubled (see
 * `textTemplate`) is kept whole.
 */
export const MAX_TEMPLATE_CHARS = 128 * 1024;

/** A parsed message template: parsed once per distinct text and cached. */
export interface MessageTemplate {
  /** The template as written. */
  readonly text: string;
  /** Text and property tokens, in order. */
  readonly tokens: readonly TemplateToken[];
}

/**
 * Whether a template has no holes: one text token, or none. Such a template shares one empty
 * binding plan and one empty set of names, so an app that logs a new text on every call
 * (`` log.information(`User ${name} logged in`) ``) builds none of them per event.
 */
export function hasNoHoles(template: MessageTemplate): boolean {
  const tokens = template.tokens;
  return tokens.length === 0 || (tokens.length === 1 && tokens[0].kind === 'text');
}
