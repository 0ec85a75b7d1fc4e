// For the scripts a spec runs as a child process (`node --import tsx`): the line the parent waits
// for, and a main whose failure the parent sees on stderr and in the exit code.

/** Writes `listening <port>` on stdout once `server` (e.g. Nest's `app.getHttpServer()`) listens. */
export function announceListening(server: { address(): unknown }): void {
  process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
}

/** Runs the script's `main`; a failure prints its stack on stderr and exits with 1. */
export function runFixture(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
    process.exit(1);
  });
}
