import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACTIVE_STATUSES,
  OUTCOME_STATUSES,
  STATUSES,
  TransitionError,
  assertTransition,
  canTransition,
  isTerminal,
  type Status,
} from '../../domain/lifecycle.ts';

const ALLOWED: [Status, Status][] = [
  ['DRAFT', 'SUBMITTED'],
  ['DRAFT', 'REJECTED'],
  ['SUBMITTED', 'SUBMITTED'],
  ['SUBMITTED', 'RETURNED'],
  ['SUBMITTED', 'IN_REVIEW'],
  ['SUBMITTED', 'FAILED'],
  ['IN_REVIEW', 'AWAITING_APPROVAL'],
  ['IN_REVIEW', 'REJECTED'],
  ['IN_REVIEW', 'FAILED'],
  ['AWAITING_APPROVAL', 'AWAITING_APPROVAL'],
  ['AWAITING_APPROVAL', 'REGISTERED'],
  ['AWAITING_APPROVAL', 'REJECTED'],
  ['AWAITING_APPROVAL', 'RETURNED'],
  ['AWAITING_APPROVAL', 'FAILED'],
  ['RETURNED', 'DRAFT'],
  ['SUBMITTED', 'REJECTED'],
  ['SUBMITTED', 'MERGED'],
  ['REJECTED', 'APPEALED'],
  ['APPEALED', 'AWAITING_APPROVAL'],
  ['APPEALED', 'REGISTERED'],
  ['APPEALED', 'REJECTED'],
  ['APPEALED', 'FAILED'],
];
const isAllowed = (from: Status, to: Status) => ALLOWED.some(([f, t]) => f === from && t === to);

describe('status transitions', () => {
  it('allows exactly the listed transitions', () => {
    for (const from of STATUSES) {
      for (const to of STATUSES) expect(canTransition(from, to), `${from} → ${to}`).toBe(isAllowed(from, to));
    }
  });

  it('throws a typed error for anything else, in both languages', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STATUSES), fc.constantFrom(...STATUSES), (from, to) => {
        if (isAllowed(from, to)) {
          expect(() => assertTransition(from, to)).not.toThrow();
          return;
        }
        try {
          assertTransition(from, to);
          expect.unreachable();
        } catch (error) {
          expect(error).toBeInstanceOf(TransitionError);
          const typed = error as TransitionError;
          expect(typed).toMatchObject({ code: 'INVALID_TRANSITION', from, to });
          expect(typed.message).toContain(from);
          expect(typed.localized.id).toContain(to);
        }
      }),
    );
  });

  it('ends in REGISTERED, MERGED or FAILED; REJECTED ends a run but can still be appealed', () => {
    expect(STATUSES.filter(isTerminal)).toEqual(['REGISTERED', 'MERGED', 'FAILED']);
    expect(OUTCOME_STATUSES).toEqual(['REGISTERED', 'REJECTED', 'MERGED', 'FAILED']);
    expect(ACTIVE_STATUSES).toEqual(['DRAFT', 'SUBMITTED', 'IN_REVIEW', 'AWAITING_APPROVAL', 'RETURNED', 'APPEALED']);
  });

  it('lets every active status reach a terminal one', () => {
    for (const start of ACTIVE_STATUSES) {
      const seen = new Set<Status>([start]);
      const queue = [start];
      while (queue.length > 0) {
        const from = queue.shift()!;
        for (const to of STATUSES) {
          if (canTransition(from, to) && !seen.has(to)) {
            seen.add(to);
            queue.push(to);
          }
        }
      }
      expect([...seen].some(isTerminal), start).toBe(true);
    }
  });
});
