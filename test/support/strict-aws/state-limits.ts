/**
 * Step Functions and Lambda limits the local orchestrator (aws-local-stepfunctions) does not
 * enforce. Pure functions: the harness calls them at every transition, after every Task, and on
 * every execution name, and lets the thrown error fail the execution the way AWS would. None of
 * these failures can be caught by a Catch in AWS, so a design that trips one is broken there.
 */

/** Step Functions: state input and output, 256 KiB of UTF-8 per transition. */
export const STATE_DATA_LIMIT_BYTES = 262_144;
/** Step Functions: events in one execution's history. */
export const HISTORY_EVENT_LIMIT = 25_000;
/**
 * Lambda: a synchronous response payload, 6 MB. AWS's own message names 6,291,556 bytes; the
 * harness checks the 6 MiB the quota page states, which is the stricter of the two.
 */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6_291_456;
/** Step Functions: execution names (also state machine and activity names). */
export const EXECUTION_NAME_MAX_LENGTH = 80;

/** An AWS-side limit was exceeded. `name` is the error name AWS reports for it. */
export class AwsLimitError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Throws `States.DataLimitExceeded` when a state's input or output (as JSON text, or a value to
 * be serialized) is over 256 KiB. Returns the size in bytes otherwise.
 */
export function stateDataWithinLimit(json: string | unknown, where = 'state data'): number {
  const text = typeof json === 'string' ? json : JSON.stringify(json ?? null);
  const bytes = utf8Bytes(text);
  if (bytes > STATE_DATA_LIMIT_BYTES) {
    throw new AwsLimitError(
      'States.DataLimitExceeded',
      `${where} is ${bytes} bytes, over Step Functions' ${STATE_DATA_LIMIT_BYTES}-byte (256 KiB) limit: ` +
        'keep large data in S3 or DynamoDB and pass a reference in the state',
    );
  }
  return bytes;
}

/**
 * Throws when an execution's history has more than 25,000 events. AWS fails such an execution
 * outright and documents no error name for it; the harness calls it `States.HistoryLimitExceeded`.
 */
export function historyWithinLimit(eventCount: number): number {
  if (eventCount > HISTORY_EVENT_LIMIT) {
    throw new AwsLimitError(
      'States.HistoryLimitExceeded',
      `the execution has ${eventCount} history events, over Step Functions' limit of ${HISTORY_EVENT_LIMIT}: ` +
        'bound the waits of one execution, or continue as a new execution',
    );
  }
  return eventCount;
}

/**
 * Throws `Function.ResponseSizeTooLarge` (the errorType Lambda reports, and so the error a Task
 * sees) when a function's response payload is over 6 MB. Takes the payload's size in bytes, or
 * the payload itself.
 */
export function lambdaResponseWithinLimit(payload: number | string | unknown): number {
  const bytes = typeof payload === 'number' ? payload : utf8Bytes(typeof payload === 'string' ? payload : JSON.stringify(payload ?? null));
  if (bytes > LAMBDA_RESPONSE_LIMIT_BYTES) {
    throw new AwsLimitError(
      'Function.ResponseSizeTooLarge',
      `Response payload size (${bytes} bytes) exceeded maximum allowed payload size (${LAMBDA_RESPONSE_LIMIT_BYTES} bytes): ` +
        'return a reference to the data, not the data',
    );
  }
  return bytes;
}

// Whitespace, brackets, wildcards, the special characters and control characters AWS lists.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_NAME_CHARACTER = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

/** Why a name breaks Step Functions' naming rules, or undefined when it is valid. */
export function executionNameProblem(name: string): string | undefined {
  if (name.length < 1) return 'it is empty';
  if (name.length > EXECUTION_NAME_MAX_LENGTH) return `it is ${name.length} characters long, over ${EXECUTION_NAME_MAX_LENGTH}`;
  const bad = FORBIDDEN_NAME_CHARACTER.exec(name);
  if (bad) {
    const shown = JSON.stringify(bad[0]);
    return `it contains ${shown} (no whitespace, brackets, wildcards, control characters or any of "#%\\^|~\`$&,;:/)`;
  }
  return undefined;
}

/** Throws `InvalidName`, as StartExecution answers, when the name breaks the rules. */
export function executionNameValid(name: string): string {
  const problem = executionNameProblem(name);
  if (problem) throw new AwsLimitError('InvalidName', `Invalid Name: '${name}': ${problem}`);
  return name;
}
