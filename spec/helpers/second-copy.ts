/**
 * What `load` imports, from a second copy of rxlog's modules: a Node app that both requires and
 * imports rxlog loads its CommonJS and ES module builds, two copies of every module, and
 * `jest.isolateModulesAsync` gives `load` a module registry of its own in the same way.
 *
 * @example const { LevelSwitch: Foreign } = await secondCopy(() => import('../../lib/core/level-switch'));
 */
export async function secondCopy<T>(load: () => Promise<T>): Promise<T> {
  let loaded: { module: T } | undefined;
  await jest.isolateModulesAsync(async () => {
    loaded = { module: await load() };
  });
  if (loaded === undefined) throw new Error('no second copy loaded');
  return loaded.module;
}
