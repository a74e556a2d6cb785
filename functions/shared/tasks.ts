import type { TaskKind } from '../../domain/decisions.ts';
import type { Tier } from '../../domain/province-config.ts';

const SUFFIX: Readonly<Record<Exclude<TaskKind, 'approval'>, string>> = {
  adjudication: 'objections',
  duplicate: 'duplicate',
  appeal: 'appeal',
};

/**
 * The id of the task the workflow opens for a proposal version: one per approval tier, one for the objections,
 * one for a suspected duplicate and one for an appeal (each version is adjudicated and appealed at most once).
 * Deterministic, so a token the workflow hands over again lands on the same task, and a reader (the API's
 * proposal view) can find a proposal's pending task from the proposal alone.
 */
export const taskIdFor = (task: { proposalId: string; version: number; kind: TaskKind; tier: Tier }) =>
  `${task.proposalId}-v${task.version}-${task.kind === 'approval' ? task.tier : SUFFIX[task.kind]}`;
