/** The `--name value` pairs a scenario child was started with, read once. */
export interface ScenarioArgs {
  /** A required string argument; a missing one ends the child with a message naming it. */
  text(name: string): string;
  /** A numeric argument, or `fallback` when it was not given. */
  number(name: string, fallback: number): number;
}

/**
 * Reads `--name value` pairs from `argv` (default: this process's arguments after the script).
 *
 * @example
 * const args = scenarioArgs();
 * const n = args.number('n', 200_000);
 */
export function scenarioArgs(argv: readonly string[] = process.argv.slice(2)): ScenarioArgs {
  const values = new Map<string, string>();
  for (let index = 0; index + 1 < argv.length; index += 2) {
    const key = argv[index];
    if (key.startsWith('--')) values.set(key.slice(2), argv[index + 1]);
  }
  return {
    text(name) {
      const value = values.get(name);
      if (value === undefined) throw new Error(`missing argument --${name}`);
      return value;
    },
    number(name, fallback) {
      const value = values.get(name);
      if (value === undefined) return fallback;
      const parsed = Number(value);
      if (!Number.isFinite(parsed)) throw new Error(`--${name}: expected a number, got ${value}`);
      return parsed;
    },
  };
}
