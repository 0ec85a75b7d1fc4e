/** One kind of diagnostic, told at most once an interval: when it last was, and what went untold since. */
export interface ReportGate {
  at: number;
  untold: number;
}

/** A gate that lets the next diagnostic through. */
export function quietGate(): ReportGate {
  return { at: -Infinity, untold: 0 };
}

/**
 * When `intervalMs` has passed since `gate` last let a diagnostic through, lets this one through
 * and returns the count that went untold meanwhile; else adds `count` to that and returns undefined.
 */
export function passGate(gate: ReportGate, now: number, intervalMs: number, count: number): number | undefined {
  if (now - gate.at < intervalMs) {
    gate.untold += count;
    return undefined;
  }
  const untold = gate.untold;
  gate.at = now;
  gate.untold = 0;
  return untold;
}
