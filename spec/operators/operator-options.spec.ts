import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { describeOption, numberOption } from '../../lib/operators/operator-options';

describe('numberOption', () => {
  it('gives the fallback for undefined and the value within its limits', () => {
    expect(numberOption(undefined, 5, 'x', { min: 1 })).toBe(5);
    expect(numberOption(3, 5, 'x', { min: 1, max: 3, integer: true })).toBe(3);
    expect(numberOption(Number.POSITIVE_INFINITY, 5, 'x', { min: 1, integer: true })).toBe(Number.POSITIVE_INFINITY);
  });

  it('throws a ConfigurationError naming the option and the value otherwise', () => {
    expect(() => numberOption(0, 5, 'windowMs', { min: 1 })).toThrow(ConfigurationError);
    expect(() => numberOption(0, 5, 'windowMs', { min: 1 })).toThrow('windowMs: expected a number at least 1, got 0');
    expect(() => numberOption(2, 5, 'rate', { min: 0, max: 1 })).toThrow('rate: expected a number between 0 and 1, got 2');
    expect(() => numberOption(1.5, 5, 'max', { min: 1, integer: true })).toThrow(/max: expected an integer/);
    expect(() => numberOption(Number.NaN, 5, 'max', { min: 1 })).toThrow(/max/);
    expect(() => numberOption('3', 5, 'max', { min: 1 })).toThrow(/got "3"/);
  });
});

describe('describeOption', () => {
  it('describes values briefly', () => {
    expect(describeOption('a')).toBe('"a"');
    expect(describeOption(() => 1)).toBe('a function');
    expect(describeOption(null)).toBe('null');
    expect(describeOption([])).toBe('an array');
    expect(describeOption({})).toBe('an object');
  });
});
