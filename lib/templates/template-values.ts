// Type-level reading of a message template: which holes a string literal has, so the compiler can
// check a call's value count. Types only: nothing here exists at run time.

/** The characters of `S`, as a union (UTF-16 code units: TypeScript splits a string so). */
type CharsOf<S extends string, Found extends string = never> = S extends `${infer C}${infer Rest}`
  ? CharsOf<Rest, Found | C>
  : Found;

/**
 * Characters that cannot appear in a hole's name: a hole holding one is text, as in `parseTemplate` (`.` only
 * between identifiers). Every ASCII one, and every one of Latin-1 that is no letter, then common punctuation
 * (dashes, quotes, `…`, `•`, `‰`, `€`), and the only characters with upper and lower case that are no letters (the
 * combining U+0345, Roman numerals `Ⅻ`, circled letters `Ⓐ`), which {@link Kind} would take for letters. No-break
 * space (U+00A0), soft hyphen (U+00AD) and U+0345 are written as escapes.
 */
type NotInName =
  | CharsOf<' \t\n\r!"#$%&\'()*+,-/:;<=>?@[\\]^`{|}~\u00a0\u00ad¡¢£¤¥¦§¨©«¬®¯°±²³´¶·¸¹»¼½¾¿×÷‐‑‒–—―‖‗‘’‚‛“”„‟†‡•‣․‥…‧‰‱′″‴‵‶‷‸‹›€'>
  | CharsOf<'\u0345ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫⅬⅭⅮⅯⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹⅺⅻⅼⅽⅾⅿⒶⒷⒸⒹⒺⒻⒼⒽⒾⒿⓀⓁⓂⓃⓄⓅⓆⓇⓈⓉⓊⓋⓌⓍⓎⓏⓐⓑⓒⓓⓔⓕⓖⓗⓘⓙⓚⓛⓜⓝⓞⓟⓠⓡⓢⓣⓤⓥⓦⓧⓨⓩ'>;

/**
 * A name character's kind as `parseTemplate` reads it, as far as types can see: `a` for a letter (one with upper and
 * lower case forms, or Latin-1's `ª` `º`), an ASCII digit, `_` and `.` as they are, `!` for one that cannot be in a
 * name, `?` for one types cannot classify (no case: CJK, kana, Arabic, a non-Latin digit, an emoji's halves).
 */
type Kind<C extends string> = C extends NotInName
  ? '!'
  : C extends Digit | '_' | '.'
    ? C
    : C extends 'ª' | 'º'
      ? 'a'
      : Uppercase<C> extends Lowercase<C>
        ? '?'
        : 'a';

/**
 * A name with each character replaced by its {@link Kind}. Four characters a step: TypeScript follows a
 * tail-recursive type 1 000 steps, and {@link TooLong} keeps longer names away.
 */
type NameKinds<S extends string, Out extends string = ''> = S extends `${infer A}${infer B}${infer C}${infer D}${infer Rest}`
  ? NameKinds<Rest, `${Out}${Kind<A>}${Kind<B>}${Kind<C>}${Kind<D>}`>
  : S extends `${infer A}${infer Rest}`
    ? NameKinds<Rest, `${Out}${Kind<A>}`>
    : Out;

type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

/** An identifier: not empty and not starting with a digit (`_a`, `Größe`; not `1abc`). */
type IsIdentifier<S extends string> = S extends '' ? false : S extends `${Digit}${string}` ? false : true;

/** Identifiers with `.` between them (`http.method`; not `.x`, `x.`, `x..y`). */
type IsDotted<S extends string> = S extends `${infer Part}.${infer Rest}`
  ? IsIdentifier<Part> extends true
    ? IsDotted<Rest>
    : false
  : IsIdentifier<S>;

/** A name of ASCII letters, digits, `_` and `.` as `parseTemplate` reads it: digits only (positional), or dotted identifiers. */
type IsAsciiName<S extends string> = S extends '' ? false : IsIndex<S> extends true ? true : IsDotted<S>;

/**
 * A hole name as `parseTemplate` reads it: `true`, `false`, or `'unknown'` when it has characters types cannot
 * classify (`?` in {@link NameKinds}) and is a name for some reading of them: each a letter (dotted identifiers,
 * which {@link IsDotted} reads `?` as), or each a digit (digits only).
 */
type IsName<S extends string> =
  NameKinds<S> extends infer Kinds extends string
    ? Kinds extends `${string}!${string}`
      ? false
      : Kinds extends `${string}?${string}`
        ? IsDotted<Kinds> extends true
          ? 'unknown'
          : Kinds extends `${string}${'a' | '_' | '.'}${string}`
            ? false
            : 'unknown'
        : IsAsciiName<Kinds>
    : false;

/** The hole's head: what comes before its alignment (`,`) or format (`:`), whichever is first. */
type HoleHead<C extends string> = C extends `${infer Name},${string}`
  ? Name extends `${infer BeforeColon}:${string}`
    ? BeforeColon
    : Name
  : C extends `${infer Name}:${string}`
    ? Name
    : C;

/** `S` without its leading zeros, sixteen a step, so thousands of them are read (see {@link NameKinds}). */
type WithoutLeadingZeros<S extends string> = S extends `0000000000000000${infer Rest}`
  ? WithoutLeadingZeros<Rest>
  : S extends `0${infer Rest}`
    ? WithoutLeadingZeros<Rest>
    : S;

/** Whether digit `A` is below digit `B` (they differ). */
type DigitBelow<A extends string, B extends string> = '0123456789' extends `${string}${A}${string}${B}${string}` ? true : false;

/**
 * Whether `S` is digits without leading zeros, at most `Max` (digits too): `Order` is how the digits read so far
 * compare with Max's. A step per digit of Max, so a long `S` is refused at once.
 */
type DigitsAtMost<
  S extends string,
  Max extends string,
  Order extends 'lt' | 'eq' | 'gt' = 'eq',
> = S extends `${infer C}${infer Rest}`
  ? C extends Digit
    ? Max extends `${infer M}${infer MaxRest}`
      ? DigitsAtMost<
          Rest,
          MaxRest,
          Order extends 'eq' ? (C extends M ? 'eq' : DigitBelow<C, M> extends true ? 'lt' : 'gt') : Order
        >
      : false
    : false
  : Max extends ''
    ? Order extends 'gt'
      ? false
      : true
    : true;

/** An alignment's magnitude as `parseTemplate` reads it: digits (leading zeros too) within int32, at most 2147483647. */
type IsMagnitude<S extends string> = S extends '' ? false : DigitsAtMost<WithoutLeadingZeros<S>, '2147483647'>;

/**
 * An alignment: digits, after an optional `-`, of magnitude at most 2147483647 (`{A,5}`, `{A,-10}`; not `{A,}`,
 * `{A,+5}`, `{A,x}`, `{A,2147483648}`).
 */
type IsAlignment<S extends string> = S extends `-${infer Digits}` ? IsMagnitude<Digits> : IsMagnitude<S>;

/** Whether the hole's alignment, if it has one (a `,` before any `:`), is well formed. */
type AlignmentFits<C extends string> = C extends `${infer Head},${infer After}`
  ? Head extends `${string}:${string}`
    ? true
    : IsAlignment<After extends `${infer Alignment}:${string}` ? Alignment : After>
  : true;

/** The hole's name: its head without the `@` or `$` capture marker. */
type HoleName<C extends string> =
  HoleHead<C> extends `@${infer Name}` ? Name : HoleHead<C> extends `$${infer Name}` ? Name : HoleHead<C>;

/** The part of a hole before its format (the first `:`), where a `{` ends the hole. */
type BeforeFormat<C extends string> = C extends `${infer Head}:${string}` ? Head : C;

/**
 * Whether `S` has 512 characters or more, read sixteen a step (a placeholder followed by another takes one
 * character; written out, since an alias of placeholders alone is just `string`). The parts of a hole are read a
 * character (digits, dotted parts), four (a name) or sixteen (leading zeros) a step, and TypeScript stops a recursive
 * type at 1 000 steps with TS2589 ("Type instantiation is excessively deep"), which fails the user's build: a longer
 * hole is not read, so its template is not checked.
 */
type TooLong<S extends string, Steps extends 0[] = []> = Steps['length'] extends 32
  ? true
  : S extends `${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${infer Rest}`
    ? TooLong<Rest, [...Steps, 0]>
    : false;

/**
 * The 900th step of {@link ReadHoles}: 900 `x`, written out (built from shorter literals, as
 * `${Hundred}${Hundred}…`, the comparison gave a wrong answer after another template was read).
 */
type LastStep =
  'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';

/**
 * The names of a template's holes, in order, repeats included. `{{` and `}}` are literal braces; a
 * `{` before a hole's format ends it (a format may hold `{`); a hole whose name is not
 * digits only, or letters, digits and `_` not starting with a digit with `.` between such parts, or
 * whose alignment is not digits after an optional `-`, is text. `string[]` when a hole's name has a
 * character without upper and lower case that is not known punctuation (CJK, emoji, a non-Latin
 * digit, a control character): whether `parseTemplate` reads it as a hole depends on its Unicode
 * category, which types cannot see, so such a template is not checked. So is one of more than 900
 * holes, `{{` and malformed holes: TypeScript follows a recursive type 1 000 steps, a step each, and
 * past that fails the build ("Type instantiation is excessively deep"). `Steps` counts them, an `x` a
 * step: comparing it with {@link LastStep} costs the same at every step, where a tuple's length costs
 * its length (a template of 800 holes took 490 000 instantiations, 170 000 so). Read in rounds, each a
 * recursion of its own, a template could take more steps, but each step copies the rest of the text:
 * 32 000 `{{` (a 64 000-character literal) took the compiler a minute.
 */
type ReadHoles<T extends string, Found extends string[] = [], Steps extends string = ''> = Steps extends LastStep
  ? string[]
  : T extends `${string}{${infer Rest}`
    ? Rest extends `{${infer After}`
      ? ReadHoles<After, Found, `${Steps}x`>
      : Rest extends `${infer Content}}${infer After}`
        ? BeforeFormat<Content> extends `${string}{${string}`
          ? Content extends `${string}{${infer Inner}`
            ? ReadHoles<`{${Inner}}${After}`, Found, `${Steps}x`>
            : Found
          : TooLong<BeforeFormat<Content>> extends true
            ? string[]
            : AlignmentFits<Content> extends false
              ? ReadHoles<After, Found, `${Steps}x`>
              : IsName<HoleName<Content>> extends infer Named
                ? Named extends true
                  ? ReadHoles<After, [...Found, HoleName<Content>], `${Steps}x`>
                  : Named extends false
                    ? ReadHoles<After, Found, `${Steps}x`>
                    : string[]
                : never
        : Found
    : Found;

/**
 * The names of a template's holes, in order, repeats included (as `ReadHoles` reads them); `string[]` for a template whose
 * text the compiler does not know (see `IsTemplateText`).
 *
 * @example type H = TemplateHoles<'{User} from {@Location} at {0}'>; // ['User', 'Location', '0']
 */
export type TemplateHoles<T extends string> = IsTemplateText<T> extends true ? ReadHoles<T> : string[];

/**
 * The holes a call's values bind, named holes taking one value each, left to right, as `captureProperties` binds
 * them: every hole up to the last one whose name is new. A repeat after it (`{A} and {B}, {A} again`) needs no
 * value; a repeat before it takes one of its own (`{A} then {A} and {B}` takes three, else `B` would get none and
 * the second `A` the value meant for `B`). Read from the end, dropping the repeats that end the template: a step for
 * each of them, where reading from the start took a step a hole, each costing more the longer the template (800
 * holes took 340 000 instantiations).
 */
type BoundHoles<Names extends string[]> = Names extends [...infer Before extends string[], infer Last extends string]
  ? [Last] extends [Before[number]]
    ? BoundHoles<Before>
    : Names
  : Names;

type IsIndex<S extends string> = S extends `${Digit}${infer Rest}` ? (Rest extends '' ? true : IsIndex<Rest>) : false;

type AllPositional<Names extends string[]> = Names extends [infer Head extends string, ...infer Tail extends string[]]
  ? IsIndex<Head> extends true
    ? Tail extends []
      ? true
      : AllPositional<Tail>
    : false
  : false;

/** A tuple of `Index + 1` unknowns; past 100 values (an index above 99) the count is not checked (`unknown[]`). */
type UpToIndex<Index extends string, Acc extends unknown[] = []> = Acc['length'] extends 100
  ? unknown[]
  : `${Acc['length']}` extends Index
    ? [...Acc, unknown]
    : UpToIndex<Index, [...Acc, unknown]>;

/** A positional name as the index `parseTemplate` reads from it (`Number('01')`): without its leading zeros. */
type IndexOf<Name extends string> = WithoutLeadingZeros<Name> extends '' ? '0' : WithoutLeadingZeros<Name>;

type Longest<Indexes extends string[], Acc extends unknown[] = []> = Indexes extends [
  infer Head extends string,
  ...infer Tail extends string[],
]
  ? UpToIndex<IndexOf<Head>> extends infer Values extends unknown[]
    ? number extends Values['length']
      ? unknown[]
      : Acc extends [...Values, ...unknown[]]
        ? Longest<Tail, Acc>
        : Longest<Tail, Values>
    : never
  : Acc;

type UnknownEach<Names extends string[]> = { [K in keyof Names]: unknown };

/** The 512th step of {@link TextTooLong}: 512 `x`, counted as {@link ReadHoles} counts its steps (see {@link LastStep}). */
type TextLastStep =
  'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';

/**
 * Whether `S` has 65 536 characters or more, read 128 a step (see {@link TooLong}). Reading a hole costs the
 * compiler a few instantiations per character, and TypeScript stops checking a statement after 5 000 000 of them with
 * TS2589 ("Type instantiation is excessively deep"): 800 holes of 500-character dotted names did. A longer template
 * is not read, so it is not checked.
 */
type TextTooLong<S extends string, Steps extends string = ''> = Steps extends TextLastStep
  ? true
  : S extends `${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${string}${infer Rest}`
    ? TextTooLong<Rest, `${Steps}x`>
    : false;

/**
 * Whether `T` is a template whose text the compiler knows: a string literal. Not `string`, nor a pattern that a
 * template literal with a substitution is typed as under `const` (`` `{${key}}` `` is `{${string}}`, which may be
 * `{Name}` or `{not a hole}`), nor `Uppercase<string>`, nor a branded `string & { … }`: their text is known only at
 * run time, so they are not checked, as a `string` is not. A pattern keys an index signature, so an empty object
 * fits a `Record` of it; a literal keys a required property. Nor is a literal of 65 536 characters or more (see
 * {@link TextTooLong}).
 */
type IsTemplateText<T extends string> = T extends `${infer Text}`
  ? string extends Text
    ? false
    : Record<never, never> extends Record<Text, unknown>
      ? false
      : TextTooLong<Text> extends true
        ? false
        : true
  : false;

/**
 * The values a template literal takes, as a tuple: one per hole up to the last new name (see `BoundHoles`), or, when every hole is
 * positional (`{0}`, `{1}`), the highest index plus one. A non-literal `string` takes `unknown[]` (see
 * `IsTemplateText`), and so does a template whose holes {@link TemplateHoles} cannot all read (`string[]`).
 *
 * @example type V = TemplateValues<'User {UserId} from {@Location}'>; // [unknown, unknown]
 */
export type TemplateValues<T extends string> =
  IsTemplateText<T> extends true
    ? number extends ReadHoles<T>['length']
      ? unknown[]
      : AllPositional<ReadHoles<T>> extends true
        ? Longest<ReadHoles<T>>
        : UnknownEach<BoundHoles<ReadHoles<T>>>
    : unknown[];

// Tail-recursive (the result carried along), so TypeScript follows it for up to 1 000 names; built as
// `${Head}, ${JoinNames<Tail>}` it stopped at 50 ("Type instantiation is excessively deep").
type JoinNames<Names extends string[], Joined extends string = ''> = Names extends [
  infer Head extends string,
  ...infer Tail extends string[],
]
  ? JoinNames<Tail, Joined extends '' ? Head : `${Joined}, ${Head}`>
  : Joined;

type Expected<T extends string, Count extends number> = Count extends 0
  ? 'no values expected'
  : AllPositional<ReadHoles<T>> extends true
    ? `${Count} ${Count extends 1 ? 'value' : 'values'} expected (positional {0}…{${Longest<ReadHoles<T>> extends [unknown, ...infer Rest] ? Rest['length'] : 0}})`
    : `${Count} ${Count extends 1 ? 'value' : 'values'} expected (${JoinNames<BoundHoles<ReadHoles<T>>>})`;

/**
 * The type a mistaken log call's first argument is checked against, so the compiler's message names
 * the problem: `TemplateMismatch<"2 values expected (UserId, Location), 1 given">`. Nothing has this
 * type; a call that meets it is the fix.
 */
export interface TemplateMismatch<Problem extends string> {
  /** What is wrong with the call. */
  readonly 'rxlog: the values do not match the template': Problem;
}

/**
 * A union of literal templates (`cond ? 'A {X}' : 'B'`) is checked member by member: the call fits
 * when it fits any of them (which one runs is known only at run time), and a mismatch names the
 * problem with each. `unknown` absorbs the rest of a union, so one fitting member is enough.
 */
type CheckTemplate<T extends string, Values extends readonly unknown[]> = T extends string
  ? IsTemplateText<T> extends true
    ? CheckOneTemplate<T, Values>
    : unknown
  : never;

type CheckOneTemplate<T extends string, Values extends readonly unknown[]> =
  TemplateValues<T> extends infer Wanted extends unknown[]
    ? number extends Wanted['length']
      ? unknown
      : Wanted['length'] extends Values['length']
        ? unknown
        : TemplateMismatch<`${Expected<T, Wanted['length']>}, ${Values['length']} given`>
    : unknown;

/**
 * `unknown` when a log call's arguments fit, else a {@link TemplateMismatch} naming the problem.
 * `First` is the template, the strings of a tagged template (``log.info`Paid ${amount}` ``, whose
 * values always fit), or the exception (anything else: what a `catch` gives) followed by an
 * optional template. A template that is not a literal (`string`) is not checked.
 */
export type CheckLogArguments<First, Rest extends readonly unknown[]> = [First] extends [string]
  ? CheckTemplate<First, Rest>
  : [First] extends [TemplateStringsArray]
    ? unknown
    : Rest extends readonly []
      ? unknown
      : Rest extends readonly [infer Template, ...infer Values]
        ? [Template] extends [string]
          ? CheckTemplate<Template, Values>
          : TemplateMismatch<'after an exception, the next argument is the template string'>
        : unknown;
