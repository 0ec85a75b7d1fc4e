/** Random lowercase hex of `bytes` bytes, from `crypto.getRandomValues` (Math.random where it is missing). */
export function randomHex(bytes: number): string {
  const values = new Uint8Array(bytes);
  const crypto = (globalThis as { crypto?: { getRandomValues?: (array: Uint8Array) => Uint8Array } }).crypto;
  if (typeof crypto?.getRandomValues === 'function') crypto.getRandomValues(values);
  else for (let i = 0; i < bytes; i++) values[i] = Math.floor(Math.random() * 256);
  let hex = '';
  for (const value of values) hex += value.toString(16).padStart(2, '0');
  // All-zero ids are invalid in W3C trace context.
  return /^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex;
}

/** A new W3C `traceparent` (version 00, sampled) with its trace and span ids. */
export function newTraceparent(): { header: string; traceId: string; spanId: string } {
  const traceId = randomHex(16);
  const spanId = randomHex(8);
  return { header: `00-${traceId}-${spanId}-01`, traceId, spanId };
}
