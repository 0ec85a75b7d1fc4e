import type { PropertyToken, TemplateToken } from '../../lib/core/message-template';

// The cases of Serilog's test/Serilog.Tests/Parsing/MessageTemplateParserTests.cs (serilog/serilog at 60935b4), one
// row a template, each naming the test it comes from: parse-template.spec.ts checks parseTemplate against them, and
// spec/types/template-vectors.spec.ts checks the compile-time reading of the same templates.

/** A hole as parseTemplate gives it: `extra` sets its capturing, format, alignment and position. */
export function hole(name: string, raw: string, extra: Partial<PropertyToken> = {}): PropertyToken {
  return {
    kind: 'property',
    name,
    raw,
    capturing: 'default',
    format: undefined,
    alignment: undefined,
    position: undefined,
    ...extra,
  };
}

/** A text token. */
export function text(value: string): TemplateToken {
  return { kind: 'text', text: value };
}

/** One of Serilog's templates and the tokens parseTemplate gives for it. */
export interface SerilogParserVector {
  /** The Serilog test method the template comes from. */
  readonly test: string;
  readonly template: string;
  /** parseTemplate's tokens: Serilog's, adjacent text merged into one token (representation only). */
  readonly tokens: readonly TemplateToken[];
  /**
   * Where rxlog's tokens are not Serilog's (docs/conformance.md): Serilog's tokens and why. A difference of
   * `representation` only renders the same, and the port of Serilog's parser (serilog-template-parser.ts) gives rxlog's
   * shape for it; any other renders otherwise.
   */
  readonly difference?: {
    readonly serilog: readonly TemplateToken[];
    readonly why: string;
    readonly representation?: true;
  };
}

const braceBeforeFormat = 'a `{` before a hole’s format ends the hole, so the `{{` after it is an escaped brace';

const v = (
  test: string,
  template: string,
  tokens: readonly TemplateToken[],
  difference?: SerilogParserVector['difference'],
): SerilogParserVector => ({ test, template, tokens, difference });

/** Every template of MessageTemplateParserTests (MessageTemplateIsRequired, a null template, has no row). */
export const SERILOG_PARSER_VECTORS: readonly SerilogParserVector[] = [
  v('AnEmptyMessageIsASingleTextToken', '', [], {
    serilog: [text('')],
    why: 'an empty template has no tokens, where Serilog gives one empty text token (both render "")',
    representation: true,
  }),
  v('AnEmptyPropertyIsIsParsedAsText', '{}', [text('{}')]),
  v('AMessageWithoutPropertiesIsASingleTextToken', 'Hello, world!', [text('Hello, world!')]),
  v('AMessageWithPropertyOnlyIsASinglePropertyToken', '{Hello}', [hole('Hello', '{Hello}')]),
  v('DoubledLeftBracketsAreParsedAsASingleBracket', '{{ Hi! }', [text('{ Hi! }')]),
  v('DoubledLeftBracketsAreParsedAsASingleBracketInsideText', 'Well, {{ Hi!', [text('Well, { Hi!')]),
  v('DoubledLeftBracketsAreParsedAsASingleBracketInsideText', 'Hello, {{worl@d}!', [text('Hello, {worl@d}!')]),
  v('DoubledRightBracketsAreParsedAsASingleBracket', 'Nice }}-: mo', [text('Nice }-: mo')]),
  v('DoubledRightBracketsAfterOneLeftIsParsedAPropertyTokenAndATextToken', '{World}}!', [hole('World', '{World}'), text('}!')]),
  v('DoubledRightBracketsAfterOneLeftIsParsedAPropertyTokenAndATextToken', 'Hello, {World}}!', [
    text('Hello, '),
    hole('World', '{World}'),
    text('}!'),
  ]),
  v('DoubledBracketsAreParsedAsASingleBracket', '{{Hi}}', [text('{Hi}')]),
  v('DoubledBracketsAreParsedAsASingleBracket', 'Hello, {{worl@d}}!', [text('Hello, {worl@d}!')]),
  v('DashedAndDottedNamesAreAccepted', '{test.name}', [hole('test.name', '{test.name}')]),
  v('DashedAndDottedNamesAreAccepted', '{te.st.na.me}', [hole('te.st.na.me', '{te.st.na.me}')]),
  ...['{0 space}', '{0 space', '{0_space', '{.testname}', '{testname.}', '{.}', '{..}', '{test..name}', '{10.name}']
    .concat(['{0_}', '{0a}'])
    .map((template) => v('AMalformedPropertyTagIsParsedAsText', template, [text(template)])),
  v('AMalformedPropertyTagIsParsedAsText', '{0_{{space}', [text('{0_{space}')], {
    serilog: [text('{0_{{space}')],
    why: braceBeforeFormat,
  }),
  v('AMalformedPropertyTagIsParsedAsText', '{0_{{space', [text('{0_{space')], {
    serilog: [text('{0_{{space')],
    why: braceBeforeFormat,
  }),
  v('ATrailingUnmatchedBracketIsParsedAsText', '{0}}space}', [hole('0', '{0}', { position: 0 }), text('}space}')]),
  v('AMessageWithAMalformedPropertyTagIsParsedAsManyTextTokens', 'Hello, {w@rld}', [text('Hello, {w@rld}')]),
  v('AMessageWithAMalformedPropertyTagIsParsedAsManyTextTokens', 'Hello, {w@rld', [text('Hello, {w@rld')]),
  v('AMessageWithAMalformedPropertyTagIsParsedAsManyTextTokens', 'Hello, {w{{rld', [text('Hello, {w{rld')], {
    serilog: [text('Hello, {w{{rld')],
    why: braceBeforeFormat,
  }),
  v('AMessageWithAMalformedPropertyTagIsParsedAsManyTextTokens', 'Hello{{, {w{{rld', [text('Hello{, {w{rld')], {
    serilog: [text('Hello{, {w{{rld')],
    why: braceBeforeFormat,
  }),
  v('AMessageWithAMalformedPropertyTagIsParsedAsManyTextTokens', 'Hello, {w@rld}, HI!', [text('Hello, {w@rld}, HI!')]),
  v('AMessageWithAMalformedPropertyTagIsParsedAsManyTextTokens', '{w@rld} Hi!', [text('{w@rld} Hi!')]),
  v('AMessageWithAMalformedPropertyTagIsParsedAsManyTextTokens', '{H&llo}, {w@rld}', [text('{H&llo}, {w@rld}')]),
  v('ASingleIntegerPropertyNameIsParsedAsPositionalProperty', '{0}', [hole('0', '{0}', { position: 0 })]),
  v('ManyIntegerPropertyNameIsParsedAsPositionalProperty', '{0}, {1}, {2}', [
    hole('0', '{0}', { position: 0 }),
    text(', '),
    hole('1', '{1}', { position: 1 }),
    text(', '),
    hole('2', '{2}', { position: 2 }),
  ]),
  v('InvalidIntegerPropertyNameIsParsedAsText', '{-1}{-0}{0}{1}{3.1415}', [
    text('{-1}{-0}'),
    hole('0', '{0}', { position: 0 }),
    hole('1', '{1}', { position: 1 }),
    text('{3.1415}'),
  ]),
  v('FormatsCanContainColons', '{Time:hh:mm}', [hole('Time', '{Time:hh:mm}', { format: 'hh:mm' })]),
  ...['HH$MM', 'HH<MM', 'HH#MM', 'HH+MM', 'HH`MM'].map((format) =>
    v('FormatsCanContainSymbolsAndOperators', `{Hello:${format}}`, [hole('Hello', `{Hello:${format}}`, { format })]),
  ),
  ...[-5, -50].map((alignment) =>
    v('PropertiesCanHaveLeftAlignment', `{Hello,${alignment}}`, [hole('Hello', `{Hello,${alignment}}`, { alignment })]),
  ),
  ...[5, 50].map((alignment) =>
    v('PropertiesCanHaveRightAlignment', `{Hello,${alignment}}`, [hole('Hello', `{Hello,${alignment}}`, { alignment })]),
  ),
  ...[-5, -50, 5, 50].map((alignment) =>
    v('PropertiesCanHaveAlignmentAndFormat', `{Hello,${alignment}:000}`, [
      hole('Hello', `{Hello,${alignment}:000}`, { alignment, format: '000' }),
    ]),
  ),
  ...['000,-5', '000,-50', '000,5', '000,50'].map((format) =>
    v('FormatInFrontOfAlignmentWillHaveTheAlignmentBeConsideredPartOfTheFormat', `{Hello:${format}}`, [
      hole('Hello', `{Hello:${format}}`, { format }),
    ]),
  ),
  v('ZeroValuesAlignmentIsParsedAsProperty', '{Hello,-0}', [hole('Hello', '{Hello,-0}', { alignment: 0 })]),
  v('ZeroValuesAlignmentIsParsedAsProperty', '{Hello,0}', [hole('Hello', '{Hello,0}', { alignment: 0 })]),
  v('AlignmentWithPositiveSignParsedAsText', '{Hello,+10}', [text('{Hello,+10}')]),
  ...['{Hello,-aa}', '{Hello,aa}', '{Hello,-10-1}', '{Hello,10-1}'].map((template) =>
    v('NonNumberAlignmentIsParsedAsText', template, [text(template)]),
  ),
  ...['{Hello,}', '{Hello,:format}'].map((template) => v('EmptyAlignmentIsParsedAsText', template, [text(template)])),
  v('MultipleTokensHasCorrectIndexes', '{Greeting}, {Name}!', [
    hole('Greeting', '{Greeting}'),
    text(', '),
    hole('Name', '{Name}'),
    text('!'),
  ]),
  v('MissingRightBracketIsParsedAsText', '{Hello', [text('{Hello')]),
  v('DestructureHintIsParsedCorrectly', '{@Hello}', [hole('Hello', '{@Hello}', { capturing: 'structure' })]),
  v('StringifyHintIsParsedCorrectly', '{$Hello}', [hole('Hello', '{$Hello}', { capturing: 'stringify' })]),
  ...['{@$}', '{$@}'].map((template) => v('DestructureWithInvalidHintsIsParsedAsText', template, [text(template)])),
  ...['{@}', '{$}'].map((template) => v('DestructuringWithEmptyPropertyNameIsParsedAsText', template, [text(template)])),
  v('UnderscoresAreValidInPropertyNames', '{_123_Hello}', [hole('_123_Hello', '{_123_Hello}')]),
  v('IndexOutOfRangeExceptionBugHasNotRegressed', '{,,}', [text('{,,}')]),
  v('FormatCanContainMultipleSections', '{Number:##.0;-##.0;zero}', [
    hole('Number', '{Number:##.0;-##.0;zero}', { format: '##.0;-##.0;zero' }),
  ]),
  v('FormatCanContainPlusSign', '{Number:+##.0}', [hole('Number', '{Number:+##.0}', { format: '+##.0' })]),
];
