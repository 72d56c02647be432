/**
 * Errors of the HTTP edge itself: what a request can get wrong before any use case runs.
 * Domain errors (shared/domain/errors.ts) cover everything after that.
 */
import { SlipwayError } from '../domain/errors.js';

/** The body is not JSON at all (as opposed to JSON that fails the schema: ValidationError). */
export class MalformedJsonError extends SlipwayError {}

export class UnsupportedMediaTypeError extends SlipwayError {
  constructor(readonly contentType: string) {
    super(`request bodies must be JSON (Content-Type: application/json), not "${contentType}"`);
  }
}

export class RouteNotFoundError extends SlipwayError {
  constructor(
    readonly method: string,
    readonly path: string,
  ) {
    super(`there is no route ${method} ${path}`);
  }
}

export class MethodNotAllowedError extends SlipwayError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly allowed: string[],
  ) {
    super(`${path} does not accept ${method}; it accepts ${allowed.join(', ')}`);
  }
}

export class PayloadTooLargeError extends SlipwayError {
  constructor(readonly limitBytes: number) {
    super(`the request body is larger than ${limitBytes} bytes; release artifacts go to the artifact bucket, not through the API`);
  }
}
