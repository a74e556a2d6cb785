import { z } from 'zod';
import { issue, zodIssues, type ValidationIssue } from './messages.ts';

export const DECISIONS = ['approve', 'reject', 'return', 'uphold', 'dismiss', 'unique', 'not_same_person', 'duplicate'] as const;
export type Decision = (typeof DECISIONS)[number];

export const TASK_KINDS = ['approval', 'adjudication', 'duplicate', 'appeal'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** What `duplicate` does with the proposal: merged into the record it duplicates, or rejected. */
export const DUPLICATE_RESOLUTIONS = ['merge', 'reject'] as const;
export type DuplicateResolution = (typeof DUPLICATE_RESOLUTIONS)[number];

/**
 * An approval task decides the proposal; an adjudication task decides an objection to it; a duplicate task decides
 * whether a proposal sharing a NIK or KK with another record is the same person (`duplicate`, merged or rejected),
 * not a duplicate after all (`unique`) or a different person under the same number (`not_same_person`, a data error
 * for Dukcapil); an appeal task decides an appeal against a rejection.
 */
export const DECISIONS_BY_TASK: Readonly<Record<TaskKind, readonly Decision[]>> = {
  approval: ['approve', 'reject', 'return'],
  adjudication: ['uphold', 'dismiss'],
  duplicate: ['unique', 'not_same_person', 'duplicate'],
  appeal: ['approve', 'reject'],
};

const TASK_LABELS = {
  approval: { id: 'persetujuan', en: 'approval' },
  adjudication: { id: 'penanganan sanggahan', en: 'objection' },
  duplicate: { id: 'penanganan data ganda', en: 'duplicate' },
  appeal: { id: 'banding', en: 'appeal' },
} as const;

export function decisionFitsTask(decision: Decision, kind: TaskKind): boolean {
  return DECISIONS_BY_TASK[kind].includes(decision);
}

/*
 * Anything that goes against the proposal as it stands (reject, return,
 * upholding an objection, a duplicate, a number Dukcapil must correct) must
 * say why: the citizen may appeal and the village must know what to fix.
 */
const DECISIONS_WITHOUT_REASON: readonly Decision[] = ['approve', 'dismiss', 'unique'];
export const MIN_REASON_LENGTH = 5;
const MAX_REASON_LENGTH = 1000;

export function reasonRequired(decision: Decision): boolean {
  return !DECISIONS_WITHOUT_REASON.includes(decision);
}

export const DecisionSchema = z
  .strictObject({
    decision: z.enum(DECISIONS),
    reason: z.string().trim().max(MAX_REASON_LENGTH).optional(),
    /** Only with `duplicate`, and required there. */
    resolution: z.enum(DUPLICATE_RESOLUTIONS).optional(),
  })
  .superRefine((value, ctx) => {
    if (reasonRequired(value.decision) && (value.reason ?? '').length < MIN_REASON_LENGTH) {
      ctx.addIssue({ code: 'custom', path: ['reason'], params: { code: 'REASON_REQUIRED', min: MIN_REASON_LENGTH } });
    }
    if (value.decision === 'duplicate' && value.resolution === undefined) {
      ctx.addIssue({ code: 'custom', path: ['resolution'], params: { code: 'RESOLUTION_REQUIRED' } });
    }
    if (value.decision !== 'duplicate' && value.resolution !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['resolution'], params: { code: 'RESOLUTION_NOT_ALLOWED' } });
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
