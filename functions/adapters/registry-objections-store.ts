import type { Proposal } from '../../domain/proposal.ts';
import type { RegistryObjectionCategory } from '../../domain/registry-objections.ts';
import type { Actor, StoredProposal } from './records-store.ts';

/** A citizen's objection against a registered household, kept under its receipt code. */
export type RegistryObjection = {
  receipt: string;
  /** The registered record objected to. */
  targetId: string;
  /** The REMOVE or UPDATE case it opened or joined. */
  caseId: string;
  category: RegistryObjectionCategory;
  statement: string;
  /** Personal data of the reporter: stored for the village tier, never returned by public routes or logged. */
  reporterName: string;
  reporterContact: string;
  receivedAt: string;
};

/** The target's version (for its audit entry) and the ended case its claim still names, if any. */
export type CaseTarget = { version: number; replacing?: string };

/**
 * Objections against registered households and the cases they open. Every write is conditional and carries its
 * audit entries in the same transaction. Shares the records table with RecordsStore.
 */
export interface RegistryObjectionsStore {
  /** The village's registered records, oldest registration first, ended and superseded ones included (callers filter). */
  registryRecords(villageCode: string): Promise<StoredProposal[]>;
  /**
   * Creates the case (a DRAFT) and the objection, and claims the target for the case (its `openCase`, the same
   * one-case-at-a-time claim a village's own REMOVE or UPDATE takes), in one transaction, audited on the case and
   * on the target. ConflictError CASE_OPENED_MEANWHILE when another case holds the target, NOT_REGISTERED when
   * the target is no longer a current registration, RECEIPT_TAKEN when the receipt is (draw another).
   */
  openCase(caseProposal: Proposal, objection: RegistryObjection, actor: Actor, target: CaseTarget): Promise<void>;
  /**
   * Adds an objection to `objection.caseId`, which must still hold the target and be in flight; audited on the case.
   * ConflictError CASE_CLOSED_MEANWHILE if the case ended first, RECEIPT_TAKEN as for openCase.
   */
  attachObjection(objection: RegistryObjection, caseVersion: number, actor: Actor): Promise<void>;
  getObjection(receipt: string): Promise<RegistryObjection | undefined>;
}
