/**
 * Errors the emulated Data API answers with, in the JSON 1.1 protocol's shape:
 * `{"__type": "<code>", "Message": "..."}` plus any members of the error shape.
 * @see https://docs.aws.amazon.com/redshift-data/latest/APIReference/CommonErrors.html
 */

export class DataApiError extends Error {
  constructor(
    /** The error code, e.g. `ValidationException`. */
    readonly type: string,
    message: string,
    readonly httpStatus: number,
    /** Other members of the error shape, e.g. `{ ResourceId }`. */
    readonly members: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = type;
  }

  /** The response body. */
  toJSON(): Record<string, unknown> {
    return { __type: this.type, Message: this.message, message: this.message, ...this.members };
  }
}

/** The request is malformed or asks for something the service (or emulator) refuses. */
export function validationError(message: string): DataApiError {
  return new DataApiError("ValidationException", message, 400);
}

/** No such statement. */
export function resourceNotFound(message: string, resourceId: string): DataApiError {
  return new DataApiError("ResourceNotFoundException", message, 404, { ResourceId: resourceId });
}
