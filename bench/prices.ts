/**
 * List prices the cost figure turns usage into dollars with, all in one place with where each came from.
 *
 * The stack deploys to ap-southeast-3 (Jakarta). AWS's pricing pages fill in regional prices in the browser from
 * per-service JSON files (`https://b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/<service>/USD/current/<service>.json`,
 * prices per single unit, grouped by region name); the Jakarta rows below were read from copies of those files,
 * each dated by its `manifest.hawkFilePublicationDate`. A price is marked `confirmedForRegion: false` when no
 * Jakarta value was found; it then holds the us-east-1 figure, and Jakarta's is likely a little higher (its
 * DynamoDB requests cost 14 % more than us-east-1's, its API Gateway HTTP requests 29 % more, its Lambda and S3
 * requests the same). Replace `usd` (and flip the flag) once the Jakarta row is read from the pricing page, the
 * AWS Pricing Calculator or the Price List API (`aws pricing get-products --service-code <code> --filters
 * Type=TERM_MATCH,Field=regionCode,Value=ap-southeast-3 --region us-east-1`).
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

/** Where the Jakarta rows were read: copies of the pricing pages' JSON files, one per service. */
const COPY = 'lamngockhuong/aws-price, lib/data/pricing/';

export const PRICES_CHECKED_ON = '2026-11-29';
export const PRICE_REGION = 'ap-southeast-3';

export const PRICES = {
  stepFunctionsStandardTransition: {
    usd: 0.025 / 1000,
    unit: 'state transition (Standard workflow)',
    source: 'https://aws.amazon.com/step-functions/pricing/ (state transitions pricing table)',
    confirmedForRegion: false,
    note:
      'The table read $0.0250 per 1,000 for US East, Europe (Ireland, Frankfurt, London, Stockholm) and Asia Pacific (Singapore, Tokyo, Sydney), ' +
      'more in Seoul ($0.0271), Mumbai ($0.0285), Paris ($0.0297) and Sao Paulo ($0.0375); no copy of the page or of its price data had a Jakarta row.',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second, arm64 (first pricing tier)',
    source: `https://aws.amazon.com/lambda/pricing/; Jakarta row: meteredUnitMaps/lambda, published 2025-10-30 (copy: ${COPY}lambda.json)`,
    confirmedForRegion: true,
    note: 'Asia Pacific (Jakarta): 0.0000133334 per Arm GB-second, as in us-east-1 (x86: 0.0000166667). An older per-region table (janritter/aws-lambda-live-tuner, cost/cost.go) agrees.',
  },
  lambdaRequest: {
    usd: 0.2 / 1_000_000,
    unit: 'Lambda request (invocation)',
    source: `https://aws.amazon.com/lambda/pricing/; Jakarta row: meteredUnitMaps/lambda, published 2025-10-30 (copy: ${COPY}lambda.json)`,
    confirmedForRegion: true,
    note: 'Asia Pacific (Jakarta) "Lambda Requests": 0.0000002 ($0.20 per million), as in us-east-1, for x86 and Arm alike.',
  },
  dynamodbWriteRequestUnit: {
    usd: 0.71 / 1_000_000,
    unit: 'DynamoDB on-demand write request unit (Standard table class)',
    source: `https://aws.amazon.com/dynamodb/pricing/on-demand/; Jakarta row: meteredUnitMaps/dynamodb, published 2025-08-28 (copy: ${COPY}dynamodb.json)`,
    confirmedForRegion: true,
    note: 'Asia Pacific (Jakarta) "PayPerRequest Write Request Units": 0.00000071 ($0.71 per million), 14 % above us-east-1\'s $0.625 in the same file.',
  },
  dynamodbReadRequestUnit: {
    usd: 0.1425 / 1_000_000,
    unit: 'DynamoDB on-demand read request unit (Standard table class)',
    source: `https://aws.amazon.com/dynamodb/pricing/on-demand/; Jakarta row: meteredUnitMaps/dynamodb, published 2025-08-28 (copy: ${COPY}dynamodb.json)`,
    confirmedForRegion: true,
    note: 'Asia Pacific (Jakarta) "PayPerRequest Read Request Units": 0.0000001425 ($0.1425 per million), 14 % above us-east-1\'s $0.125 in the same file.',
  },
  s3PutClassRequest: {
    usd: 0.005 / 1000,
    unit: 'S3 Standard PUT, COPY, POST or LIST request',
    source: `https://aws.amazon.com/s3/pricing/ (Requests & data retrievals); Jakarta row: meteredUnitMaps/s3, published 2025-10-22 (copy: ${COPY}s3.json)`,
    confirmedForRegion: true,
    note: 'Asia Pacific (Jakarta): 0.000005 per PUT, COPY, POST or LIST request ($0.005 per 1,000), as in us-east-1; ochaton/s3du (internal/pricing/pricing.go) agrees.',
  },
  s3GetClassRequest: {
    usd: 0.0004 / 1000,
    unit: 'S3 Standard GET, SELECT or other read request',
    source: `https://aws.amazon.com/s3/pricing/ (Requests & data retrievals); Jakarta row: meteredUnitMaps/s3, published 2025-10-22 (copy: ${COPY}s3.json)`,
    confirmedForRegion: true,
    note: 'Asia Pacific (Jakarta) "GET and all other requests": 0.0000004 per request ($0.0004 per 1,000), as in us-east-1.',
  },
  // Beyond the list: every operator and approver action is an API request, and each recipient's outcome an event.
  apiGatewayHttpRequest: {
    usd: 1.29 / 1_000_000,
    unit: 'API Gateway HTTP API request (first 300 million a month)',
    source: `https://aws.amazon.com/api-gateway/pricing/; Jakarta row: meteredUnitMaps/apigateway, published 2025-10-20 (copy: ${COPY}apigateway.json)`,
    confirmedForRegion: true,
    note:
      'Asia Pacific (Jakarta) "ApiGatewayHttpApi First 300 million": 0.00000129 ($1.29 per million, 29 % above us-east-1\'s $1.00); ' +
      'requests are metered in 512 KB increments, ours are far smaller.',
  },
  eventBridgeCustomEvent: {
    usd: 1.0 / 1_000_000,
    unit: 'EventBridge custom event published (PutEvents entry, 64 KB chunks)',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
    confirmedForRegion: false,
    note: 'us-east-1: $1.00 per million custom events. No Jakarta row was found in any copy of the price data.',
  },
} satisfies Record<string, ListPrice>;

export type PriceList = Record<keyof typeof PRICES, Pick<ListPrice, 'usd'>>;

/**
 * The what-if for prices still unconfirmed for Jakarta: Jakarta's largest surcharge over us-east-1 among the
 * prices confirmed above is API Gateway's +29 %; the unconfirmed ones are raised by that, rounded up.
 */
export const UNCONFIRMED_SURCHARGE = 1.3;

/** The list with every price not confirmed for the region multiplied by `factor`. */
export function withUnconfirmedRaised<List extends Record<string, ListPrice>>(prices: List, factor: number): List {
  return Object.fromEntries(Object.entries(prices).map(([name, price]) => [name, price.confirmedForRegion ? price : { ...price, usd: price.usd * factor }])) as List;
}
