/**
 * List prices the cost figure turns usage into dollars with, all in one place with where each came from.
 *
 * The stack deploys to ap-southeast-3 (Jakarta). AWS's pricing pages fill in regional prices in the browser, so
 * the page text available when these were checked showed the us-east-1 (or all-region) figure and not the
 * Jakarta row. Every price below is therefore marked `confirmedForRegion: false` unless its Jakarta value was
 * actually seen (two were, in per-region tables other projects copied from the price list; usage type prefix APS4). Regional surcharges elsewhere in Asia Pacific run from 0 to about +15 %; an unconfirmed price
 * here is more likely a little low than high. Replace `usd` (and flip the flag) once the Jakarta row is read
 * from the pricing page, the AWS Pricing Calculator or the Price List API (`region_index.json` for the service).
 * Free tiers are ignored: a province stack at volume is far beyond them.
 */

export interface ListPrice {
  /** US dollars per unit. */
  usd: number;
  unit: string;
  source: string;
  /** True only when the ap-southeast-3 value itself was seen. */
  confirmedForRegion: boolean;
  note: string;
}

export const PRICES_CHECKED_ON = '2026-11-28';
export const PRICE_REGION = 'ap-southeast-3';

export const PRICES = {
  stepFunctionsStandardTransition: {
    usd: 0.025 / 1000,
    unit: 'state transition (Standard workflow)',
    source: 'https://aws.amazon.com/step-functions/pricing/ (state transitions pricing table)',
    confirmedForRegion: false,
    note:
      'The table read $0.0250 per 1,000 for US East, Europe (Ireland, Frankfurt, London, Stockholm) and Asia Pacific (Singapore, Tokyo, Sydney), ' +
      'more in Seoul ($0.0271), Mumbai ($0.0285), Paris ($0.0297) and Sao Paulo ($0.0375); the Jakarta row was not in the text read.',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second, arm64 (first pricing tier)',
    source: 'https://aws.amazon.com/lambda/pricing/; Jakarta row: janritter/aws-lambda-live-tuner, cost/cost.go (standardGBSecondARM)',
    confirmedForRegion: true,
    note:
      'The ap-southeast-3 entry of a per-region table copied from the price list (about 2022) reads 0.0000133334, the base Arm price; ' +
      'Artillery\'s table (lib/platform/aws-lambda/prices.js) likewise lists surcharges only outside Jakarta. Seen in copies, not on AWS\'s own page.',
  },
  lambdaRequest: {
    usd: 0.2 / 1_000_000,
    unit: 'Lambda request (invocation)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    confirmedForRegion: false,
    note:
      '$0.20 per million requests in us-east-1, the same for x86 and Arm. A copy of the AWS calculator\'s lambda.json (remotion-dev/remotion) ' +
      'shows other regions from $0.18 (ap-southeast-5) to $0.28 (ap-east-1) per million, and no Jakarta row.',
  },
  dynamodbWriteRequestUnit: {
    usd: 0.625 / 1_000_000,
    unit: 'DynamoDB on-demand write request unit (Standard table class)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    confirmedForRegion: false,
    note: 'us-east-1 after the November 2024 on-demand price cut ($0.625 per million WRU). Jakarta is expected to be somewhat higher.',
  },
  dynamodbReadRequestUnit: {
    usd: 0.125 / 1_000_000,
    unit: 'DynamoDB on-demand read request unit (Standard table class)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    confirmedForRegion: false,
    note: 'us-east-1 after the November 2024 cut ($0.125 per million RRU). Jakarta is expected to be somewhat higher.',
  },
  s3PutClassRequest: {
    usd: 0.005 / 1000,
    unit: 'S3 Standard PUT, COPY, POST or LIST request',
    source: 'https://aws.amazon.com/s3/pricing/ (Requests & data retrievals); Jakarta row: ochaton/s3du, internal/pricing/pricing.go (listPer1000)',
    confirmedForRegion: true,
    note: 'ap-southeast-3: $0.005 per 1,000, as in us-east-1, in a per-region table taken from the price list (group S3-API-Tier1, May 2026). Seen in a copy, not on AWS\'s own page.',
  },
  s3GetClassRequest: {
    usd: 0.0004 / 1000,
    unit: 'S3 Standard GET, SELECT or other read request',
    source: 'https://aws.amazon.com/s3/pricing/ (Requests & data retrievals)',
    confirmedForRegion: false,
    note: 'us-east-1: $0.0004 per 1,000.',
  },
  // Beyond the list: every operator and approver action is an API request, and each recipient's outcome an event.
  apiGatewayHttpRequest: {
    usd: 1.0 / 1_000_000,
    unit: 'API Gateway HTTP API request (first 300 million a month)',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    confirmedForRegion: false,
    note: 'us-east-1: $1.00 per million (requests are metered in 512 KB increments; ours are far smaller).',
  },
  eventBridgeCustomEvent: {
    usd: 1.0 / 1_000_000,
    unit: 'EventBridge custom event published (PutEvents entry, 64 KB chunks)',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
    confirmedForRegion: false,
    note: '$1.00 per million custom events.',
  },
} satisfies Record<string, ListPrice>;

export type PriceList = Record<keyof typeof PRICES, Pick<ListPrice, 'usd'>>;
