/**
 * CPU milliseconds this process spent (user and system, every thread) while `run` ran, for specs
 * that tell linear work from quadratic. Unlike wall-clock time it does not grow while other
 * processes hold the CPU (a CI machine of two cores under a full test run), so a bound on it sits
 * as far from a correct run on a loaded machine as on an idle one. Time spent waiting (a socket,
 * a timer) does not count; work done meanwhile in this process (an in-process server) does.
 */
export async function cpuMs(run: () => void | Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}
