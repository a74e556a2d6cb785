import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClients, type LocalClients } from '../../../local/clients.ts';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime.ts';
import { CONFIG_OVERRIDES, eventually, pendingTask, submitGoodProposal, tempDataDir, TIME_SCALE } from './support.ts';

/** The village tier's SLA lapses 8 s (days) after the task opens; the others never do in this test. */
const VILLAGE_SLA_DAYS = 8;

/**
 * A decision recorded while its task lapsed (the approver's send met the old token) reaches the workflow when it
 * asks again: request-decision, in its own Lambda sandbox, sends it to the local Step Functions with the new token.
 */
describe('local runtime: a decision recorded as its task lapsed', () => {
  const dataDir = tempDataDir();
  let runtime: LocalRuntime | undefined;
  let clients: LocalClients | undefined;

  beforeAll(async () => {
    const tiers = CONFIG_OVERRIDES.tiers.map((entry) => (entry.tier === 'village' ? { ...entry, slaDays: VILLAGE_SLA_DAYS } : entry));
    runtime = await startLocalRuntime({ dataDir, timeScale: TIME_SCALE, configOverrides: { ...CONFIG_OVERRIDES, tiers }, inMemory: true });
    clients = localClients(runtime.endpoints);
  });

  afterAll(async () => {
    clients?.destroy();
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is sent by request-decision with the token of the re-ask, and the proposal goes on to the next tier unescalated', async () => {
    const { proposalId } = await submitGoodProposal(clients!, runtime!.endpoints.evidenceBucket, 500);
    const village = await pendingTask(clients!, proposalId, 'village');

    // Recorded as the decide route records it; its send found the token lapsed, so nothing was sent.
    await clients!.store.recordDecision(village.taskId, { decision: 'approve', decidedBy: 'approver-village', decidedAt: new Date().toISOString() });

    const district = await pendingTask(clients!, proposalId, 'district');
    expect(district.proposalId).toBe(proposalId);
    const decided = await clients!.store.getTask(village.taskId);
    expect(decided).toMatchObject({ status: 'DECIDED', escalations: 0, decision: { decision: 'approve' } });
    expect(decided?.token).not.toBe(village.token);
    const actions = (await clients!.store.auditTrail(proposalId)).map((entry) => entry.action);
    expect(actions).not.toContain('TASK_ESCALATED');
  });
});
