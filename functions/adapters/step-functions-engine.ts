import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionInput, TaskCallbacks, WorkflowEngine } from '../application/workflow-engine.ts';

/** Task tokens carry their execution, so answering one needs no state machine ARN. */
export class StepFunctionsCallbacks implements TaskCallbacks {
  constructor(protected readonly client: SFNClient) {}

  async sendTaskSuccess(taskToken: string, output: Record<string, unknown>) {
    await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string) {
    await this.client.send(new SendTaskFailureCommand({ taskToken, error, cause }));
  }
}

export class StepFunctionsEngine extends StepFunctionsCallbacks implements WorkflowEngine {
  constructor(
    client: SFNClient,
    private readonly stateMachineArn: string,
  ) {
    super(client);
  }

  async start(name: string, input: ExecutionInput) {
    const { executionArn } = await this.client.send(
      new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }),
    );
    return { executionArn: executionArn! };
  }
}

/** The province's state machine (STATE_MACHINE_ARN), for the API functions that start or resume it. */
export function stepFunctionsEngineFromEnvironment(env: NodeJS.ProcessEnv): WorkflowEngine {
  const stateMachineArn = env.STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new Error('STATE_MACHINE_ARN is not configured for this function');
  return new StepFunctionsEngine(new SFNClient({}), stateMachineArn);
}

/** For request-decision, which answers its own tasks' tokens and cannot be told the ARN of the machine that calls it. */
export const stepFunctionsCallbacks = (): TaskCallbacks => new StepFunctionsCallbacks(new SFNClient({}));
