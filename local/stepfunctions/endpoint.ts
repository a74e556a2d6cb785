/**
 * The Step Functions API over HTTP (AWS JSON 1.0, `X-Amz-Target: AWSStepFunctions.<Operation>`), backed by a
 * StateMachineHost, so the SDK's SFNClient, the AWS CLI and the application's StepFunctionsEngine talk to the
 * local workflow exactly as they would to AWS. State machines come from the template: there is no
 * CreateStateMachine here.
 */
import type { LocalCredentials } from '../sigv4.ts';
import {
  JsonProtocolError,
  optionalBoolean,
  optionalNumber,
  optionalString,
  requiredString,
  startJsonProtocolServer,
  validationError,
  type JsonOperation,
  type JsonProtocolServer,
} from '../json-protocol.ts';
import type { StateMachineHost } from './host.ts';
import type { ExecutionStatus } from './store.ts';

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
/** AWS limits on what SendTask* accept. */
const MAX_TOKEN = 2048;
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

export interface StepFunctionsEndpointOptions {
  host: StateMachineHost;
  region: string;
  credentials: readonly LocalCredentials[];
  port?: number;
  /** Fields DescribeStateMachine adds per machine (loggingConfiguration, tracingConfiguration...). */
  describeExtras?: (stateMachineArn: string) => Record<string, unknown>;
  onInternalError?: (error: unknown, operation: string) => void;
}

export function stepFunctionsOperations(
  host: StateMachineHost,
  describeExtras: (stateMachineArn: string) => Record<string, unknown> = () => ({}),
): Record<string, JsonOperation> {
  return {
    StartExecution: async (input) =>
      host.startExecution({
        stateMachineArn: requiredString(input, 'stateMachineArn', 2048),
        ...optionalMember('name', optionalString(input, 'name', 80)),
        ...optionalMember('input', optionalString(input, 'input', 262_144)),
      }),

    DescribeExecution: async (input) => {
      const described = await host.describeExecution(requiredString(input, 'executionArn', 2048));
      if (optionalString(input, 'includedData') !== 'METADATA_ONLY') return described;
      const { input: _input, output: _output, ...metadata } = described;
      return metadata;
    },

    ListExecutions: async (input) => {
      const statusFilter = optionalString(input, 'statusFilter');
      if (statusFilter !== undefined && !STATUSES.includes(statusFilter as ExecutionStatus)) {
        throw validationError('statusFilter', `Member must satisfy enum value set: [${STATUSES.join(', ')}]`, statusFilter);
      }
      if (input.mapRunArn !== undefined) throw new JsonProtocolError('ValidationException', 'Map runs (distributed Map) are not supported locally');
      return host.listExecutions({
        stateMachineArn: requiredString(input, 'stateMachineArn', 2048),
        ...optionalMember('statusFilter', statusFilter as ExecutionStatus | undefined),
        ...optionalMember('maxResults', optionalNumber(input, 'maxResults')),
        ...optionalMember('nextToken', optionalString(input, 'nextToken', 1024)),
      });
    },

    GetExecutionHistory: async (input) => {
      const history = await host.getExecutionHistory({
        executionArn: requiredString(input, 'executionArn', 2048),
        ...optionalMember('reverseOrder', optionalBoolean(input, 'reverseOrder')),
        ...optionalMember('maxResults', optionalNumber(input, 'maxResults')),
        ...optionalMember('nextToken', optionalString(input, 'nextToken', 1024)),
      });
      if (optionalBoolean(input, 'includeExecutionData') !== false) return history;
      // Without execution data, AWS leaves input/output out of every event's details.
      return { ...history, events: history.events.map(withoutExecutionData) };
    },

    StopExecution: async (input) =>
      host.stopExecution({
        executionArn: requiredString(input, 'executionArn', 2048),
        ...optionalMember('error', optionalString(input, 'error', MAX_ERROR)),
        ...optionalMember('cause', optionalString(input, 'cause', MAX_CAUSE)),
      }),

    SendTaskSuccess: async (input) =>
      host.sendTaskSuccess({ taskToken: requiredString(input, 'taskToken', MAX_TOKEN), output: requiredString(input, 'output', 262_144) }),

    SendTaskFailure: async (input) =>
      host.sendTaskFailure({
        taskToken: requiredString(input, 'taskToken', MAX_TOKEN),
        ...optionalMember('error', optionalString(input, 'error', MAX_ERROR)),
        ...optionalMember('cause', optionalString(input, 'cause', MAX_CAUSE)),
      }),

    SendTaskHeartbeat: async (input) => host.sendTaskHeartbeat({ taskToken: requiredString(input, 'taskToken', MAX_TOKEN) }),

    ListStateMachines: async (input) => {
      const { stateMachines } = await host.listStateMachines();
      const size = optionalNumber(input, 'maxResults') || 100;
      if (!Number.isInteger(size) || size < 0 || size > 1000) {
        throw validationError('maxResults', 'Member must have value less than or equal to 1000', size);
      }
      const nextToken = optionalString(input, 'nextToken');
      const offset = nextToken === undefined ? 0 : Number.parseInt(Buffer.from(nextToken, 'base64url').toString('utf8'), 10);
      if (!Number.isInteger(offset) || offset < 0) throw new JsonProtocolError('InvalidToken', 'Invalid nextToken');
      const page = stateMachines.slice(offset, offset + size);
      return {
        stateMachines: page,
        ...(offset + size < stateMachines.length ? { nextToken: Buffer.from(String(offset + size)).toString('base64url') } : {}),
      };
    },

    DescribeStateMachine: async (input) => {
      const stateMachineArn = requiredString(input, 'stateMachineArn', 2048);
      const described = await host.describeStateMachine({ stateMachineArn });
      return { ...described, ...describeExtras(stateMachineArn) };
    },
  };
}

export function startStepFunctionsEndpoint(options: StepFunctionsEndpointOptions): Promise<JsonProtocolServer> {
  return startJsonProtocolServer({
    label: 'Step Functions',
    signingName: 'states',
    targetPrefix: 'AWSStepFunctions',
    protocolVersion: '1.0',
    region: options.region,
    credentials: options.credentials,
    operations: stepFunctionsOperations(options.host, options.describeExtras),
    ...optionalMember('port', options.port),
    ...optionalMember('onInternalError', options.onInternalError),
  });
}

function optionalMember<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function withoutExecutionData<E extends Record<string, unknown>>(event: E): E {
  const out: Record<string, unknown> = { ...event };
  for (const [key, details] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || typeof details !== 'object' || details === null) continue;
    const { input: _input, output: _output, ...rest } = details as Record<string, unknown>;
    out[key] = rest;
  }
  return out as E;
}
