import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionInput, WorkflowEngine } from '../application/workflow-engine.ts';

export class StepFunctionsEngine implements WorkflowEngine {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(name: string, input: ExecutionInput) {
    const { executionArn } = await this.client.send(
      new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }),
    );
    return { executionArn: executionArn! };
  }

  async sendTaskSuccess(taskToken: string, output: Record<string, unknown>) {
    await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string) {
    await this.client.send(new SendTaskFailureCommand({ taskToken, error, cause }));
  }
}

/** The province's state machine (STATE_MACHINE_ARN), for the API functions that start or resume it. */
export function stepFunctionsEngineFromEnvironment(env: NodeJS.ProcessEnv): WorkflowEngine {
  const stateMachineArn = env.STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new Error('STATE_MACHINE_ARN is not configured for this function');
  return new StepFunctionsEngine(new SFNClient({}), stateMachineArn);
}
