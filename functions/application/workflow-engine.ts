import type { Tier } from '../../domain/province-config.ts';

/** Answers a waiting task through its token: all that delivering a decision needs of Step Functions. */
export interface TaskCallbacks {
  sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
}

/** The slice of Step Functions the application uses; SFN's SDK client backs it in AWS and locally. */
export interface WorkflowEngine extends TaskCallbacks {
  /** Starts (or, for the same name and input, finds) the execution for a proposal version, or for its appeal. */
  start(name: string, input: ExecutionInput): Promise<{ executionArn: string }>;
}

/** An execution's input: the proposal version, and for an appeal's execution the tier hearing it. */
export type ExecutionInput = { proposalId: string; version: number; appeal?: { tier: Tier } };

/** Deterministic, so a second submit of the same version cannot start a second run. */
export const executionNameFor = (proposalId: string, version: number) => `${proposalId}-v${version}`;

/** An appeal runs the same version again under its own name; a version is appealed at most once. */
export const appealExecutionNameFor = (proposalId: string, version: number) => `${executionNameFor(proposalId, version)}-appeal`;
