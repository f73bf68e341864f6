/**
 * A startup failure the operator can act on (a port in use, a database that cannot be reached,
 * a data directory held by another process). Entry points print its message as one line, with
 * no stack, and exit with `exitCode`.
 */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}
