/** An array of `length` holes behind a Proxy that counts the reads of its items (their presence too). */
export function countedHoles(length: number): { array: unknown[]; reads: () => number } {
  let reads = 0;
  const isIndex = (key: string | symbol): boolean => typeof key === 'string' && /^\d+$/.test(key);
  const array = new Proxy(new Array<unknown>(length), {
    get(target, key, receiver) {
      if (isIndex(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
    has(target, key) {
      if (isIndex(key)) reads++;
      return Reflect.has(target, key);
    },
  });
  return { array, reads: () => reads };
}
