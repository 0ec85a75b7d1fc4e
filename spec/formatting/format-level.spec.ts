import type { LogLevelName } from '../../lib/core/log-level';
import { formatLevel } from '../../lib/formatting/format-level';

const levels: LogLevelName[] = ['verbose', 'debug', 'information', 'warning', 'error', 'fatal'];

describe('formatLevel', () => {
  it('gives the title case name without a format', () => {
    expect(levels.map((level) => formatLevel(level))).toEqual(['Verbose', 'Debug', 'Information', 'Warning', 'Error', 'Fatal']);
  });

  it('gives Serilog three-letter names with u3 and w3', () => {
    expect(levels.map((level) => formatLevel(level, 'u3'))).toEqual(['VRB', 'DBG', 'INF', 'WRN', 'ERR', 'FTL']);
    expect(levels.map((level) => formatLevel(level, 'w3'))).toEqual(['vrb', 'dbg', 'inf', 'wrn', 'err', 'ftl']);
  });

  it('gives the full name in upper or lower case with u and w', () => {
    expect(levels.map((level) => formatLevel(level, 'u'))).toEqual([
      'VERBOSE',
      'DEBUG',
      'INFORMATION',
      'WARNING',
      'ERROR',
      'FATAL',
    ]);
    expect(levels.map((level) => formatLevel(level, 'w'))).toEqual([
      'verbose',
      'debug',
      'information',
      'warning',
      'error',
      'fatal',
    ]);
  });

  it('gives the other Serilog abbreviations for widths 1, 2 and 4', () => {
    expect(levels.map((level) => formatLevel(level, 'u1'))).toEqual(['V', 'D', 'I', 'W', 'E', 'F']);
    expect(formatLevel('information', 't4')).toBe('Info');
    expect(formatLevel('warning', 'w2')).toBe('wn');
  });

  it('cuts the level name to widths past 4 as Serilog does, never beyond the full name', () => {
    expect(levels.map((level) => formatLevel(level, 't5'))).toEqual(['Verbo', 'Debug', 'Infor', 'Warni', 'Error', 'Fatal']);
    expect(levels.map((level) => formatLevel(level, 'u6'))).toEqual(['VERBOS', 'DEBUG', 'INFORM', 'WARNIN', 'ERROR', 'FATAL']);
    expect(formatLevel('information', 'w10')).toBe('informatio');
    expect(formatLevel('information', 'u11')).toBe('INFORMATION');
    expect(formatLevel('error', 'u9')).toBe('ERROR');
    expect(formatLevel('warning', 'w0')).toBe('');
  });

  it('gives the title case name for an unknown format', () => {
    expect(formatLevel('error', 'lj')).toBe('Error');
    expect(formatLevel('error', 'u100')).toBe('Error');
  });

  it('cuts a level name of its own before a surrogate pair the width would split, never writing half of it', () => {
    const level = '😀loud' as LogLevelName;
    expect(formatLevel(level, 't1')).toBe('');
    expect(formatLevel(level, 'u2')).toBe('😀');
    expect(formatLevel('a😀' as LogLevelName, 'w2')).toBe('a');
  });

  it('writes a level outside the six as its own name, even one named like an Object.prototype member', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'loud']) {
      const level = name as LogLevelName;
      expect(formatLevel(level)).toBe(name);
      expect(formatLevel(level, 'u3')).toBe(name.slice(0, 3).toUpperCase());
      expect(formatLevel(level, 'w')).toBe(name.toLowerCase());
    }
  });
});
