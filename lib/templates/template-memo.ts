import type { MessageTemplate } from '../core/message-template';

/**
 * What the stages an event passes through derive from its template, each found the first time a
 * stage needs it and kept with the template: capture's binding plan, the CLEF formatter's
 * `@mt`/`@i` pieces, the text formatter's hole names and the size estimate's names of holes with
 * a format. Each slot belongs to the one module that fills it.
 *
 * @internal
 */
export interface TemplateMemo {
  plan: object | undefined;
  clef: object | undefined;
  names: ReadonlySet<string> | undefined;
  formatted: readonly string[] | undefined;
}

/** The key of a parsed template's memo: a symbol, and not enumerable, so no copy, key list, JSON or deep equality sees it. */
const MEMO: unique symbol = Symbol('rxlog.templateMemo');

interface Memoized extends MessageTemplate {
  readonly [MEMO]?: TemplateMemo;
}

function emptyMemo(): TemplateMemo {
  return { plan: undefined, clef: undefined, names: undefined, formatted: undefined };
}

/** Reused for every template parsed (parsing is synchronous, so no other one is between its two writes). */
const DESCRIPTOR: PropertyDescriptor = { value: undefined };

/**
 * `template` (not yet frozen) with an empty memo. One record per parsed template, which dies with it,
 * instead of one entry in a table per stage: a template text new on every call cost four table
 * entries (three WeakMaps and the cache), and their upkeep was most of the garbage collector's work.
 *
 * @internal
 */
export function withMemo<T extends MessageTemplate>(template: T): T {
  DESCRIPTOR.value = emptyMemo();
  Object.defineProperty(template, MEMO, DESCRIPTOR);
  DESCRIPTOR.value = undefined;
  return template;
}

/** Memos of templates not made by `parseTemplate` (an event built in JavaScript), held while the template is. */
let others: WeakMap<MessageTemplate, TemplateMemo> | undefined;

/**
 * The memo of `template`: the one `parseTemplate` gave it (a property read, no table lookup: the
 * logger's templates come from it), else one kept in a WeakMap while the template lives.
 *
 * @internal
 */
export function memoOf(template: MessageTemplate): TemplateMemo {
  const memo = (template as Memoized)[MEMO];
  if (memo !== undefined) return memo;
  others ??= new WeakMap();
  let kept = others.get(template);
  if (kept === undefined)
    others.set(template, (kept = { plan: undefined, clef: undefined, names: undefined, formatted: undefined }));
  return kept;
}
