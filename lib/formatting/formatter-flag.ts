import { checkOptionKeys } from '../core/check-option-keys';
import { expectOption } from '../core/expect-option';
import { readGuarded } from '../core/read-options';

/**
 * The one option of a formatter that takes a switch (`renderMessage`, `includeTemplate`): `fallback`
 * when it is left out, else it must be `true` or `false`. A misspelt name (`renderMesage`) or a
 * value of another kind (`'yes'`) is refused when the formatter is built, as other constructors
 * refuse theirs, instead of silently meaning the default.
 *
 * @throws ConfigurationError naming `where`, the option and the value.
 */
export function formatterFlag(where: string, options: object, name: string, fallback: boolean): boolean {
  expectOption(typeof options === 'object' && (options as unknown) !== null, where, 'options', options);
  checkOptionKeys(where, options, [name]);
  const value: unknown = readGuarded(where, `option "${name}"`, () => (options as Record<string, unknown>)[name]) ?? fallback;
  expectOption(typeof value === 'boolean', `${where}.${name}`, 'true or false', value);
  return value;
}
