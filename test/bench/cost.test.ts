import { describe, expect, it } from 'vitest';
import { costOf, lambdaGbSeconds, type Usage } from '../../bench/cost-model.ts';
import { PRICES, withUnconfirmedRaised, type ListPrice, type PriceList } from '../../bench/prices.ts';
import { addConsumedCapacity, emptyCapacity, s3RequestClass, subtractCapacity } from '../../bench/support/counting-proxy.ts';
import { median, percentile } from '../../bench/support/stats.ts';

const usage: Usage = {
  stateTransitions: 14,
  lambda: [
    { label: 'Stages/CheckEvidence', durationMs: 2000.4, memoryMb: 1024 },
    { label: 'Api/ListTasks', durationMs: 10, memoryMb: 512 },
  ],
  dynamodb: { readUnits: 40, writeUnits: 500 },
  s3: { putClass: 6, getClass: 4 },
  apiRequests: 11,
  events: 1,
};

/** Every unit at one dollar: each cost line then equals its quantity. */
const unitPrices = Object.fromEntries(Object.keys(PRICES).map((name) => [name, { usd: 1 }])) as PriceList;

describe('bench cost model', () => {
  it('bills each Lambda invocation rounded up to the millisecond, at its memory in GB', () => {
    // 2001 ms at 1 GB, 10 ms at 0.5 GB
    expect(lambdaGbSeconds(usage.lambda)).toBeCloseTo(2.001 + 0.005, 12);
    expect(lambdaGbSeconds([{ label: 'x', durationMs: 0.2, memoryMb: 128 }])).toBeCloseTo(0.001 * 0.125, 12);
    expect(lambdaGbSeconds(usage.lambda, 3)).toBeCloseTo(6.002 + 0.015, 12);
  });

  it('prices every component from its quantity', () => {
    const { lines, totalUsd } = costOf(usage, unitPrices);
    expect(Object.fromEntries(lines.map((line) => [line.component, line.usd]))).toEqual({
      stepFunctions: 14,
      lambdaRequests: 2,
      lambdaDuration: expect.closeTo(2.006, 12),
      dynamodbWrites: 500,
      dynamodbReads: 40,
      s3Puts: 6,
      s3Gets: 4,
      apiGateway: 11,
      eventBridge: 1,
    });
    expect(totalUsd).toBeCloseTo(14 + 2 + 2.006 + 500 + 40 + 6 + 4 + 11 + 1, 9);
  });

  it('uses the list prices as stated per unit', () => {
    const { lines } = costOf(usage, PRICES);
    const usd = Object.fromEntries(lines.map((line) => [line.component, line.usd]));
    expect(usd.stepFunctions).toBeCloseTo((14 * 0.025) / 1000, 15);
    expect(usd.dynamodbWrites).toBeCloseTo((500 * 0.71) / 1e6, 15);
    expect(usd.apiGateway).toBeCloseTo((11 * 1.29) / 1e6, 15);
    expect(usd.s3Puts).toBeCloseTo((6 * 0.005) / 1000, 15);
    expect(usd.lambdaDuration).toBeCloseTo(2.006 * 0.0000133334, 15);
  });
});

describe('bench price list', () => {
  const price = (usd: number, confirmedForRegion: boolean): ListPrice => ({ usd, unit: 'request', source: 'test', confirmedForRegion, note: '' });

  it('raises only the prices not confirmed for the region in the what-if', () => {
    const raised = withUnconfirmedRaised({ seen: price(2, true), assumed: price(10, false) }, 1.3);
    expect(raised.seen.usd).toBe(2);
    expect(raised.assumed.usd).toBeCloseTo(13, 12);
  });
});

describe('bench counting proxies', () => {
  it('sums consumed capacity as DynamoDB reports it: single, per-table arrays, indexes, reads apart', () => {
    const counts = emptyCapacity();
    addConsumedCapacity(counts, 'PutItem', { CapacityUnits: 6, GlobalSecondaryIndexes: { byVillage: { CapacityUnits: 3 } } });
    addConsumedCapacity(counts, 'TransactWriteItems', [{ CapacityUnits: 4, WriteCapacityUnits: 4 }]);
    addConsumedCapacity(counts, 'Query', { CapacityUnits: 0.5 });
    addConsumedCapacity(counts, 'BatchGetItem', [{ CapacityUnits: 1 }, { CapacityUnits: 2 }]);
    addConsumedCapacity(counts, 'DeleteItem', undefined);
    expect(counts).toMatchObject({ writeUnits: 10, indexWriteUnits: 3, readUnits: 3.5, minimumReadUnitsAdded: 0, unitsByOperation: { PutItem: 6, TransactWriteItems: 4, Query: 0.5, BatchGetItem: 3 } });

    // DynamoDB Local reports 0 for a Query that finds nothing; AWS bills the minimum read.
    addConsumedCapacity(counts, 'Query', { CapacityUnits: 0 });
    addConsumedCapacity(counts, 'Query', { CapacityUnits: 0 }, { consistentRead: true });
    expect(counts).toMatchObject({ readUnits: 5, minimumReadUnitsAdded: 1.5 });

    const before = structuredClone(counts);
    addConsumedCapacity(counts, 'UpdateItem', { CapacityUnits: 2 });
    expect(subtractCapacity(counts, before)).toMatchObject({ writeUnits: 2, readUnits: 0, indexWriteUnits: 0, unitsByOperation: { UpdateItem: 2 } });
  });

  it('puts S3 requests in their price classes from the path-style URL', () => {
    expect(s3RequestClass('POST', '/evidence-bucket')).toBe('putClass'); // a presigned POST upload
    expect(s3RequestClass('PUT', '/evidence-bucket/proposals/a/house-front/v1-x.jpg')).toBe('putClass');
    expect(s3RequestClass('GET', '/evidence-bucket?list-type=2&prefix=proposals%2Fa%2F')).toBe('putClass'); // LIST
    expect(s3RequestClass('GET', '/evidence-bucket/proposals/a/house-front/v1-x.jpg')).toBe('getClass');
    expect(s3RequestClass('HEAD', '/evidence-bucket/proposals/a/id-scan/v1-y.pdf')).toBe('getClass');
    expect(s3RequestClass('DELETE', '/evidence-bucket/imports/b/batch.csv')).toBe('free');
  });
});

describe('bench statistics', () => {
  it('takes medians and nearest-rank percentiles of what was measured', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 95)).toBe(100);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 50)).toBe(50);
    expect(median([])).toBeNaN();
  });
});
