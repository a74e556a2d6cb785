import { describe, expect, it } from 'vitest';
import { DECISIONS, DecisionSchema, decisionFitsTask, validateDecision } from '../../domain/decisions.ts';
import { zodIssues } from '../../domain/messages.ts';

const issuesOf = (input: unknown) => {
  const result = DecisionSchema.safeParse(input);
  return result.success ? [] : zodIssues(result.error, input).map(({ path, code }) => ({ path, code }));
};

describe('decisions by task', () => {
  it('offers approve/reject/return for approvals and uphold/dismiss for adjudications', () => {
    expect(DECISIONS.filter((d) => decisionFitsTask(d, 'approval'))).toEqual(['approve', 'reject', 'return']);
    expect(DECISIONS.filter((d) => decisionFitsTask(d, 'adjudication'))).toEqual(['uphold', 'dismiss']);
  });

  it('offers unique/not_same_person/duplicate for suspected duplicates and approve/reject for appeals', () => {
    expect(DECISIONS.filter((d) => decisionFitsTask(d, 'duplicate'))).toEqual(['unique', 'not_same_person', 'duplicate']);
    expect(DECISIONS.filter((d) => decisionFitsTask(d, 'appeal'))).toEqual(['approve', 'reject']);
  });

  it('asks a duplicate for its resolution (merge or reject) and nothing else for one', () => {
    expect(issuesOf({ decision: 'unique' })).toEqual([]);
    expect(issuesOf({ decision: 'not_same_person' })).toEqual([{ path: 'reason', code: 'REASON_REQUIRED' }]);
    expect(issuesOf({ decision: 'duplicate', reason: 'Orang yang sama' })).toEqual([{ path: 'resolution', code: 'RESOLUTION_REQUIRED' }]);
    expect(issuesOf({ decision: 'duplicate', reason: 'Orang yang sama', resolution: 'merge' })).toEqual([]);
    expect(issuesOf({ decision: 'approve', resolution: 'reject' })).toEqual([{ path: 'resolution', code: 'RESOLUTION_NOT_ALLOWED' }]);
  });
});

describe('DecisionSchema', () => {
  it.each(['approve', 'dismiss'])('accepts %s without a reason', (decision) => {
    expect(issuesOf({ decision })).toEqual([]);
  });

  it.each(['reject', 'return', 'uphold'])('requires a reason of at least five characters for %s', (decision) => {
    expect(issuesOf({ decision })).toEqual([{ path: 'reason', code: 'REASON_REQUIRED' }]);
    expect(issuesOf({ decision, reason: '   abcd   ' })).toEqual([{ path: 'reason', code: 'REASON_REQUIRED' }]);
    expect(issuesOf({ decision, reason: 'Rumah permanen, punya mobil' })).toEqual([]);
  });

  it('rejects unknown decisions and fields', () => {
    expect(issuesOf({ decision: 'maybe' })).toEqual([{ path: 'decision', code: 'INVALID_ENUM_VALUE' }]);
    expect(issuesOf({ decision: 'approve', note: 'x' })).toEqual([{ path: 'note', code: 'UNKNOWN_FIELD' }]);
  });

  it('explains the missing reason in both languages', () => {
    const [issue] = zodIssues(DecisionSchema.safeParse({ decision: 'reject' }).error!);
    expect(issue?.message.id).toContain('minimal 5');
    expect(issue?.message.en).toContain('at least 5');
  });
});

describe('validateDecision', () => {
  it('accepts a decision that fits the task, trimming the reason', () => {
    expect(validateDecision({ decision: 'uphold', reason: '  Sudah meninggal  ' }, 'adjudication')).toEqual({
      ok: true,
      decision: { decision: 'uphold', reason: 'Sudah meninggal' },
    });
  });

  it('rejects a decision meant for another task', () => {
    const result = validateDecision({ decision: 'approve' }, 'adjudication');
    expect(result).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: 'decision', code: 'DECISION_NOT_ALLOWED' })],
    });
  });

  it('passes schema issues through', () => {
    expect(validateDecision({}, 'approval')).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: 'decision', code: 'REQUIRED' })],
    });
  });
});
