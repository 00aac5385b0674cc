// Errors that end a run with exit code 2: the harness could not set up, so no verdict on the plugin exists.

/** Bad command-line input: the message says what was wrong and how to fix it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The target could not be found, started or reached; the message names the cause and the fix. */
export class SetupError extends Error {
  override name = 'SetupError';
}
