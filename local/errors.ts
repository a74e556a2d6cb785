/**
 * An error the local runtime shows to a person, not a stack trace: `message`
 * says what went wrong and what to do in plain language, `code` is stable so
 * callers and tests can branch on it without matching prose.
 */
export type LocalRuntimeErrorCode =
  | 'JAVA_NOT_FOUND'
  | 'DYNAMODB_JAR_NOT_FOUND'
  | 'PORT_IN_USE'
  | 'DYNAMODB_LOCAL_FAILED'
  | 'DYNAMODB_LOCAL_TIMEOUT'
  | 'UNSUPPORTED_TABLE_PROPERTY'
  | 'INVALID_TABLE_DEFINITION'
  | 'TABLE_SCHEMA_CHANGED'
  | 'S3_STORE_FAILED'
  | 'UNKNOWN_PROVINCE'
  | 'INVALID_ARGUMENT'
  | 'SYNTH_FAILED'
  | 'UNSUPPORTED_RESOURCE'
  | 'FUNCTION_LOAD_FAILED'
  | 'ENDPOINT_FAILED'
  | 'RUNTIME_ALREADY_RUNNING'
  | 'RUNTIME_NOT_RUNNING';

export class LocalRuntimeError extends Error {
  override readonly name = 'LocalRuntimeError';
  readonly code: LocalRuntimeErrorCode;

  constructor(code: LocalRuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isLocalRuntimeError(error: unknown, code?: LocalRuntimeErrorCode): error is LocalRuntimeError {
  return error instanceof LocalRuntimeError && (code === undefined || error.code === code);
}
