import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Tier } from '../../../domain/province-config.ts';
import { decideTask } from '../../../functions/application/decide-task.ts';
import { submitProposal } from '../../../functions/application/submit-proposal.ts';
import { taskIdFor } from '../../../functions/shared/tasks.ts';
import type { LocalClients } from '../../../local/clients.ts';
import { houseLocation, makeJpeg, makePdf } from '../../support/evidence-fixtures.ts';
import { draftOf, householdProposal } from '../../support/proposals.ts';

/** A day lasts 1 s: the 1-day review below ends in a second. */
export const TIME_SCALE = 1 / 86_400;

/** A short review and SLAs long enough (at TIME_SCALE) that a slow machine or a restart never lets one lapse. */
export const CONFIG_OVERRIDES = {
  reviewDays: 1,
  tiers: [
    { tier: 'village' as const, slaDays: 150 },
    { tier: 'district' as const, slaDays: 150 },
    { tier: 'regency' as const, slaDays: 150 },
    { tier: 'regent' as const, slaDays: 150 },
  ],
};

export const TIERS: Tier[] = ['village', 'district', 'regency', 'regent'];

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'verval-runtime-'));
}

const OPERATOR = { type: 'user' as const, id: 'operator-test' };

/** A DRAFT in DynamoDB with good evidence in S3, as a village operator leaves it, then submitted (StartExecution). */
export async function submitGoodProposal(clients: LocalClients, bucket: string, seed: number) {
  const proposal = draftOf(householdProposal());
  await clients.store.createProposal(proposal, { actor: OPERATOR, action: 'CREATED' });
  const takenAt = new Date(Date.now() - 3 * 86_400_000);
  const put = (kind: string, file: string, body: Uint8Array, contentType: string) =>
    clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `proposals/${proposal.id}/${kind}/${file}`, Body: body, ContentType: contentType }));
  await put('house-front', 'front.jpg', makeJpeg({ seed, takenAt, gps: houseLocation }), 'image/jpeg');
  await put('house-interior', 'inside.jpg', makeJpeg({ seed: seed + 1, takenAt, gps: houseLocation }), 'image/jpeg');
  await put('id-scan', 'kk.jpg', makeJpeg({ seed: seed + 2, takenAt }), 'image/jpeg');
  await put('berita-acara', 'musdes.pdf', makePdf(), 'application/pdf');
  const { executionArn } = await submitProposal({ store: clients.store, workflow: clients.workflow }, proposal.id, OPERATOR);
  return { proposalId: proposal.id, executionArn };
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits for the tier's approval task to be PENDING; returns it with its stored token. */
export function pendingTask(clients: LocalClients, proposalId: string, tier: Tier) {
  const taskId = taskIdFor({ proposalId, version: 1, kind: 'approval', tier });
  return eventually(`task ${taskId}`, async () => {
    const task = await clients.store.getTask(taskId);
    return task?.status === 'PENDING' ? task : undefined;
  });
}

export async function approve(clients: LocalClients, proposalId: string, tier: Tier) {
  const task = await pendingTask(clients, proposalId, tier);
  await decideTask(
    { store: clients.store, freezes: clients.freezes, workflow: clients.workflow, now: clients.now },
    { taskId: task.taskId, decision: 'approve', actor: { type: 'user', id: `approver-${tier}` } },
  );
  return task;
}
