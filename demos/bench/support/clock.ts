/** Monotonic time now, in nanoseconds, as a plain number (exact to well below a microsecond for hours). */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/** Milliseconds elapsed since `startNs` (from `nowNs()`). */
export function msSince(startNs: number): number {
  return (nowNs() - startNs) / 1e6;
}

/** The process's peak resident set size so far, in MiB (kernel-tracked, so a tight loop cannot hide it). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Milliseconds of CPU (user + system, every thread of the process) spent since `start` (from `process.cpuUsage()`). */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
