/** The slice of Step Functions the application uses; SFN's SDK client backs it in AWS and locally. */
export interface WorkflowEngine {
  /** Starts (or, for the same name and input, finds) the execution for a proposal version. */
  start(name: string, input: { proposalId: string; version: number }): Promise<{ executionArn: string }>;
  sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
}

/** Deterministic, so a second submit of the same version cannot start a second run. */
export const executionNameFor = (proposalId: string, version: number) => `${proposalId}-v${version}`;
