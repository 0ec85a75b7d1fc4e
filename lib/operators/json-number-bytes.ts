/** 10 to the powers 0 to 22, each exact as a double (10^23 is not). */
const POWERS: number[] = [1];
for (let power = 1; power <= 22; power++) POWERS.push(POWERS[power - 1] * 10);

/** What a number in exponent form takes at most: `-1.2345678901234567e-308` without its sign. */
const EXPONENT_FORM = 23;

/**
 * The bytes `value` takes as rxlog's JSON writers write it (`String(value)`; NaN and ±Infinity as
 * quoted names), worked out without making the string, so the size estimate allocates nothing per
 * number: an integer counts its digits and sign (`7` 1, `-1_000` 5), a fraction its shortest
 * round-trip digits (`12.5` 4, `0.1` 3, `1 / 3` 18), found with at most five multiplications.
 * Never below the text: exact outside exponent form, but for one byte over for some of 16 or 17
 * significant digits; in exponent form (below `1e-6`, from `1e21`) it counts the longest such
 * text, 23 bytes and the sign.
 */
export function jsonNumberBytes(value: number): number {
  const size = Math.abs(value);
  // -0 is written `0`; NaN and ±Infinity quoted (their names are constants: nothing is made).
  const sign = value < 0 ? 1 : 0;
  if (!(size < 1e21)) return size === Infinity || size !== size ? String(value).length + 2 : sign + EXPONENT_FORM;
  // An integer, most numbers logged (counts, ids, statuses): its digits.
  if (Number.isInteger(size)) return sign + digitCount(size);
  if (size < 1e-6) return sign + EXPONENT_FORM;
  // The fewest fraction digits `digits` whose decimal round(size * 10^digits) / 10^digits is
  // `size` again: those String writes (its shortest round-trip text). A binary search, as a
  // decimal of `digits` that round-trips still does with one digit more: at most 17 significant
  // digits are ever needed, 22 fraction digits below 1 (from 1e-6), where the zeros after the
  // point come on top of the 17.
  const whole = size < 1 ? 1 : digitCount(size);
  let low = 0;
  let high = size < 1 ? Math.min(22, 16 + digitCount(1 / size)) : Math.max(1, 17 - whole);
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (Math.round(size * POWERS[middle]) / POWERS[middle] === size) high = middle;
    else low = middle;
  }
  return sign + whole + 1 + high;
}

/**
 * The bytes a bigint takes as rxlog's JSON writers write it (its digits, quoted past 4 300 of
 * them), at most four more: read from its hexadecimal length, never from its decimal text (slow to
 * make for a huge one).
 */
export function jsonBigintBytes(value: bigint): number {
  // log10(16) digits a hexadecimal digit, rounded up, and the quotes of a long one.
  return Math.ceil(value.toString(16).length * 1.2042) + 2;
}

/** The decimal digits of the whole part of a number from 0 below 1e21. */
function digitCount(size: number): number {
  let count = 1;
  while (count < 22 && POWERS[count] <= size) count++;
  return count;
}
