/**
 * Runs `body`, then gives settled Promises `turns` event-loop turns to report: the reasons of the
 * rejections left unhandled meanwhile (which end a Node process by default).
 */
export async function unhandledRejectionsOf(body: () => unknown, turns = 2): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await body();
    for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
    return unhandled;
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
}
