import { z } from 'zod';
import type { TaskKind } from './decisions.ts';
import type { Status } from './lifecycle.ts';
import { supervisorTier, TIERS, type ProvinceConfig, type Tier } from './province-config.ts';

/*
 * Appeals (banding). A proposal an approver rejected, on its approval or by upholding an objection, may be appealed
 * once by its village, within the province's appealDays of the rejection, with a statement and new evidence. The
 * tier above the one that rejected it hears the appeal; the top tier hears appeals of its own rejections, as no one
 * sits above the regent's ratification in a province's own process. Rejections as a duplicate are not appealed: the
 * remedy there is a Dukcapil correction and a new proposal. Automated outcomes (returned, failed) are not rejections.
 */

export const APPEAL_STATEMENT_MIN = 10;

/** Up to five files of new evidence; each asks for one upload slot of the appeal-evidence document. */
export const AppealInputSchema = z.strictObject({
  statement: z.string().trim().min(APPEAL_STATEMENT_MIN).max(2000),
  evidence: z
    .array(z.strictObject({ contentType: z.string().max(100).optional() }))
    .min(1)
    .max(5)
    .optional(),
});
export type AppealInput = z.infer<typeof AppealInputSchema>;

/** What is stored on the proposal once it is appealed. */
export const AppealSchema = z.strictObject({
  statement: z.string(),
  /** The tier hearing the appeal. */
  tier: z.enum(TIERS),
  rejectedTier: z.enum(TIERS),
  rejectedAt: z.iso.datetime(),
  filedAt: z.iso.datetime(),
  filedBy: z.string().min(1),
});
export type Appeal = z.infer<typeof AppealSchema>;

/** The decision that rejected the proposal: the task's kind and tier, and when the proposal became REJECTED. */
export type Rejection = { kind: TaskKind; tier: Tier; at: string };

/** Decisions an appeal can overturn. */
const APPEALABLE_KINDS: readonly TaskKind[] = ['approval', 'adjudication'];

export type AppealRefusal = 'ALREADY_APPEALED' | 'NOT_REJECTED' | 'NOT_APPEALABLE' | 'APPEAL_WINDOW_CLOSED';

/** The tier that hears an appeal against a rejection by `rejectedTier`. */
export function appealTier(config: ProvinceConfig, rejectedTier: Tier): Tier {
  return supervisorTier(config, rejectedTier);
}

/** The end of the appeal window; `timeScale` shrinks days as it does for SLAs and the public review in local runs. */
export function appealWindowEndsAt(rejectedAt: string, appealDays: number, timeScale = 1): Date {
  return new Date(Date.parse(rejectedAt) + appealDays * 86_400_000 * timeScale);
}

/** Whether this proposal may be appealed now, and to which tier. */
export function appealVerdict(input: {
  status: Status;
  appealed: boolean;
  rejection: Rejection | undefined;
  config: ProvinceConfig;
  now: Date;
  timeScale?: number;
}): { ok: true; tier: Tier; rejection: Rejection } | { ok: false; code: AppealRefusal } {
  if (input.appealed) return { ok: false, code: 'ALREADY_APPEALED' };
  if (input.status !== 'REJECTED') return { ok: false, code: 'NOT_REJECTED' };
  const { rejection } = input;
  if (!rejection || !APPEALABLE_KINDS.includes(rejection.kind)) return { ok: false, code: 'NOT_APPEALABLE' };
  if (input.now.getTime() > appealWindowEndsAt(rejection.at, input.config.appealDays, input.timeScale).getTime()) {
    return { ok: false, code: 'APPEAL_WINDOW_CLOSED' };
  }
  return { ok: true, tier: appealTier(input.config, rejection.tier), rejection };
}
