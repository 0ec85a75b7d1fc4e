import fc from 'fast-check';
import { parseTemplate } from '../../lib/templates/parse-template';
import { renderTemplate } from '../../lib/templates/render-template';
import { textTemplate } from '../../lib/templates/text-template';

describe('textTemplate', () => {
  it('makes any text a template with no holes that renders as the text itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('{', '}', 'a', ' ', '@', '$', ':', ',', '0', 'é') }), (text) => {
        const template = parseTemplate(textTemplate(text));
        expect(template.tokens.every((token) => token.kind === 'text')).toBe(true);
        expect(renderTemplate(template, {})).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('gives a text without braces back as it is, and doubles each brace of one with them', () => {
    expect(textTemplate('Nest application successfully started')).toBe('Nest application successfully started');
    expect(textTemplate('Mapped {/users, GET} route')).toBe('Mapped {{/users, GET}} route');
    expect(textTemplate('}{')).toBe('}}{{');
    expect(textTemplate('')).toBe('');
  });
});
