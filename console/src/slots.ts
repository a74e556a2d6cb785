import type { UploadSlot } from './api.ts';

/** Slots the create or revise call just handed out, so the upload screen need not ask for fresh ones. */
const slots = new Map<string, UploadSlot[]>();

export function rememberSlots(proposalId: string, uploads: UploadSlot[]): void {
  slots.set(proposalId, uploads);
}

export function takeSlots(proposalId: string): UploadSlot[] | undefined {
  const found = slots.get(proposalId);
  slots.delete(proposalId);
  return found?.filter((slot) => Date.parse(slot.expiresAt) > Date.now() + 60_000);
}
