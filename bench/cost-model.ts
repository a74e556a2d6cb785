/**
 * Usage → US dollars, the way each service bills it. Pure, so the arithmetic is tested on its own
 * (test/bench/cost.test.ts) apart from the measurements that feed it.
 */
import type { PriceList } from './prices.ts';

export interface LambdaInvocation {
  /** Which function, for the breakdown. */
  label: string;
  durationMs: number;
  memoryMb: number;
}

/** What one recipient (or any unit of work) used. */
export interface Usage {
  stateTransitions: number;
  lambda: LambdaInvocation[];
  dynamodb: { readUnits: number; writeUnits: number };
  s3: { putClass: number; getClass: number };
  apiRequests: number;
  events: number;
}

export type CostComponent =
  | 'stepFunctions'
  | 'lambdaRequests'
  | 'lambdaDuration'
  | 'dynamodbWrites'
  | 'dynamodbReads'
  | 's3Puts'
  | 's3Gets'
  | 'apiGateway'
  | 'eventBridge';

export interface CostLine {
  component: CostComponent;
  quantity: number;
  usd: number;
}

/**
 * Lambda bills each invocation's duration rounded up to the next millisecond, times the configured memory in
 * GB (1 GB = 1024 MB). `durationFactor` scales the measured durations first: what-if Lambda's CPU share is slower.
 */
export function lambdaGbSeconds(invocations: readonly LambdaInvocation[], durationFactor = 1): number {
  return invocations.reduce((total, { durationMs, memoryMb }) => total + (Math.ceil(durationMs * durationFactor) / 1000) * (memoryMb / 1024), 0);
}

export function costOf(usage: Usage, prices: PriceList, options: { lambdaDurationFactor?: number } = {}): { lines: CostLine[]; totalUsd: number } {
  const gbSeconds = lambdaGbSeconds(usage.lambda, options.lambdaDurationFactor ?? 1);
  const lines: CostLine[] = [
    { component: 'stepFunctions', quantity: usage.stateTransitions, usd: usage.stateTransitions * prices.stepFunctionsStandardTransition.usd },
    { component: 'lambdaRequests', quantity: usage.lambda.length, usd: usage.lambda.length * prices.lambdaRequest.usd },
    { component: 'lambdaDuration', quantity: gbSeconds, usd: gbSeconds * prices.lambdaArmGbSecond.usd },
    { component: 'dynamodbWrites', quantity: usage.dynamodb.writeUnits, usd: usage.dynamodb.writeUnits * prices.dynamodbWriteRequestUnit.usd },
    { component: 'dynamodbReads', quantity: usage.dynamodb.readUnits, usd: usage.dynamodb.readUnits * prices.dynamodbReadRequestUnit.usd },
    { component: 's3Puts', quantity: usage.s3.putClass, usd: usage.s3.putClass * prices.s3PutClassRequest.usd },
    { component: 's3Gets', quantity: usage.s3.getClass, usd: usage.s3.getClass * prices.s3GetClassRequest.usd },
    { component: 'apiGateway', quantity: usage.apiRequests, usd: usage.apiRequests * prices.apiGatewayHttpRequest.usd },
    { component: 'eventBridge', quantity: usage.events, usd: usage.events * prices.eventBridgeCustomEvent.usd },
  ];
  return { lines, totalUsd: lines.reduce((total, line) => total + line.usd, 0) };
}
