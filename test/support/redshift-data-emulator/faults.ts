/**
 * Fault injection for tests of the product. The emulator reads these hooks at each use, so a
 * test may set and clear them on `emulator.faults` between cases.
 */

/** An API-level error to answer a request with, instead of handling it. */
export interface RejectedRequest {
  /** Error code, e.g. `ThrottlingException`, `InternalServerException`, `ValidationException`. */
  type: string;
  message: string;
  /** HTTP status. Default 400 (500 for types ending in `ServerException`). */
  httpStatus?: number;
}

export interface EmulatorFaults {
  /**
   * Called with each SQL statement (as submitted, parameters unbound) just before it runs;
   * return a message to make it FAIL with exactly that `Error` (a batch then rolls back).
   * @example failWhen: (sql) => (/^merge/i.test(sql) ? "ERROR: injected" : undefined)
   */
  failWhen?: (sql: string) => string | undefined;
  /**
   * Called with each SQL statement after it ran, before it is committed; return true to keep
   * it STARTED until CancelStatement (or `stop()`) aborts it and rolls its transaction back.
   * While it hangs it holds PGlite: every other statement, and direct `db` queries, wait.
   */
  hangWhen?: (sql: string) => boolean;
  /**
   * Called with each API request (operation name, e.g. `ExecuteStatement`, and its JSON input)
   * before it is handled; return an error to answer with it instead. The SDK retries
   * `ThrottlingException` and 5xx errors by itself.
   */
  rejectRequestWhen?: (operation: string, input: Record<string, unknown>) => RejectedRequest | undefined;
}
