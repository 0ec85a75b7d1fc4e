/** What `rxlog --help` prints. */
export const CLI_USAGE = `Usage: rxlog [options] [file ...]

Pretty-prints and filters CLEF and NDJSON logs, one event per line. Reads the files in order,
or stdin when there are none or a file is "-". Lines that are not events (including other JSON
shapes, such as pino's) are passed through, whatever the filters (not with --json).

Options:
  --level <name>         show events at this level or above: verbose (trace), debug,
                         information (info), warning (warn), error, fatal (also
                         critical, crit, err, and VRB, DBG, INF, WRN, ERR, FTL)
  --grep <text>          show events whose rendered message contains <text>, ignoring case
                         (not the line's JSON, other properties or the exception; once)
  --where <Name>=<value> show events whose property <Name> renders as <value> (repeatable;
                         every condition must hold; one "=", no spaces around
                         <Name>); CLEF's @l=<level>, @i, @mt, @m, @tr and @sp compare
                         the level, event id, template, message, trace id and span id
  --template <template>  output template (default
                         '[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}')
  --json                 write matching events as CLEF instead of text (not with --template);
                         other lines are left out, their count said on stderr
  --color, --no-color    colour by level, or not, whatever the environment and stdout (a pipe
                         too); --color=WHEN as ls and grep take it: always (yes, force) is
                         --color, never (no, none) --no-color, auto (tty, if-tty) the default:
                         FORCE_COLOR when set, on for '', 1, 2, 3 or true, off for any other
                         value; else off when NODE_DISABLE_COLORS is set, NO_COLOR is set and
                         not empty or TERM is dumb; else when stdout is a terminal of more than
                         2 colours
  --strict               report lines that are not events (on stderr, with their line number)
                         instead of passing them through, and exit with 1
  -h, --help             show this help
  --version              show the version

A value may also follow "=" (--level=warn); "--" ends the options.

Exit codes: 0 ok, 1 lines that are not events under --strict or a line over 16 MiB (skipped and
reported), 2 bad usage, unreadable input (the file stdout or stderr writes to, too) or an
output that cannot be written.
`;
