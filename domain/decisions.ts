import { z } from 'zod';
import { issue, zodIssues, type ValidationIssue } from './messages.ts';

export const DECISIONS = ['approve', 'reject', 'return', 'uphold', 'dismiss'] as const;
export type Decision = (typeof DECISIONS)[number];

export const TASK_KINDS = ['approval', 'adjudication'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** An approval task decides the proposal; an adjudication task decides an objection to it. */
export const DECISIONS_BY_TASK: Readonly<Record<TaskKind, readonly Decision[]>> = {
  approval: ['approve', 'reject', 'return'],
  adjudication: ['uphold', 'dismiss'],
};

const TASK_LABELS = {
  approval: { id: 'persetujuan', en: 'approval' },
  adjudication: { id: 'penanganan sanggahan', en: 'objection' },
} as const;

export function decisionFitsTask(decision: Decision, kind: TaskKind): boolean {
  return DECISIONS_BY_TASK[kind].includes(decision);
}

/*
 * Anything that goes against the proposal as it stands (reject, return,
 * upholding an objection) must say why: the citizen may appeal and the
 * village must know what to fix.
 */
const DECISIONS_WITHOUT_REASON: readonly Decision[] = ['approve', 'dismiss'];
export const MIN_REASON_LENGTH = 5;
const MAX_REASON_LENGTH = 1000;

export function reasonRequired(decision: Decision): boolean {
  return !DECISIONS_WITHOUT_REASON.includes(decision);
}

export const DecisionSchema = z
  .strictObject({
    decision: z.enum(DECISIONS),
    reason: z.string().trim().max(MAX_REASON_LENGTH).optional(),
  })
  .superRefine((value, ctx) => {
    if (reasonRequired(value.decision) && (value.reason ?? '').length < MIN_REASON_LENGTH) {
      ctx.addIssue({ code: 'custom', path: ['reason'], params: { code: 'REASON_REQUIRED', min: MIN_REASON_LENGTH } });
    }
  });
export type DecisionInput = z.infer<typeof DecisionSchema>;

/** Parses a decision and checks it fits the task it answers. */
export function validateDecision(
  input: unknown,
  kind: TaskKind,
): { ok: true; decision: DecisionInput } | { ok: false; issues: ValidationIssue[] } {
  const result = DecisionSchema.safeParse(input);
  if (!result.success) return { ok: false, issues: zodIssues(result.error, input) };
  if (!decisionFitsTask(result.data.decision, kind)) {
    return { ok: false, issues: [issue('decision', 'DECISION_NOT_ALLOWED', { task: TASK_LABELS[kind] })] };
  }
  return { ok: true, decision: result.data };
}
