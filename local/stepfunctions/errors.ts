/**
 * Errors the local Step Functions API returns. `name` and `code` are the AWS error codes, so code written
 * against the SDK (`error.name === 'TaskDoesNotExist'`) branches the same way locally.
 */
export type StepFunctionsErrorCode =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'StateMachineDoesNotExist'
  | 'InvalidArn'
  | 'InvalidName'
  | 'InvalidExecutionInput'
  | 'InvalidDefinition'
  | 'InvalidToken'
  | 'InvalidOutput'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException'
  | 'HostClosed';

export class StepFunctionsError extends Error {
  readonly code: StepFunctionsErrorCode;
  /** As the SDK marks service errors; all of these are the caller's to fix. */
  readonly $fault = 'client' as const;

  constructor(code: StepFunctionsErrorCode, message: string) {
    super(message);
    this.name = code;
    this.code = code;
  }
}

export function isStepFunctionsError(error: unknown, code?: StepFunctionsErrorCode): error is StepFunctionsError {
  return error instanceof StepFunctionsError && (code === undefined || error.code === code);
}
