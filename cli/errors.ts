/**
 * Errors the CLI turns into an exit code. 2 = the invocation or its input is wrong (fix the command);
 * 1 = the request was fine but the outcome was not (a failed deployment, an API that says no).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad arguments, a missing file, a file that is not a zip, no API configured. */
export class UsageError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 2, options);
  }
}
