import { hasNoHoles } from '../../lib/core/message-template';
import { parseTemplate } from '../../lib/templates/parse-template';

describe('hasNoHoles', () => {
  it.each([
    ['', true],
    ['User u1 logged in', true],
    ['{{escaped}} braces', true],
    ['an unclosed {hole', true],
    ['{Name}', false],
    ['Hi {Name}', false],
    ['{0} and {1}', false],
  ])('of %j is %s', (text, expected) => {
    expect(hasNoHoles(parseTemplate(text))).toBe(expected);
  });

  it('reads an app-built template by its tokens', () => {
    expect(hasNoHoles({ text: 'x', tokens: [{ kind: 'property', name: 'A', raw: '{A}', capturing: 'default' }] })).toBe(false);
    expect(
      hasNoHoles({
        text: 'x',
        tokens: [
          { kind: 'text', text: 'a' },
          { kind: 'text', text: 'b' },
        ],
      }),
    ).toBe(false);
  });
});
