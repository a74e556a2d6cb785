/**
 * Decide a task waiting in the local stack, as an approver would through the API:
 *
 *   npx tsx local/decide.ts                                      list the tasks waiting for a decision
 *   npx tsx local/decide.ts <taskId> approve|reject|return [reason]
 *   npx tsx local/decide.ts <taskId> dismiss|uphold [reason]     (objections)
 *   ... --data-dir <dir>                                         default .local
 *
 * Reads the running stack's endpoints.json; the decision goes through decideTask, which resumes the workflow
 * with SendTaskSuccess/SendTaskFailure on the local Step Functions endpoint.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parseArgs } from 'node:util';
import { DECISIONS, MIN_REASON_LENGTH, reasonRequired, type Decision } from '../domain/decisions.ts';
import type { ApprovalTask } from '../functions/adapters/records-store.ts';
import { ConflictError } from '../functions/adapters/records-store.ts';
import { decideTask, DecisionNotAllowed } from '../functions/application/decide-task.ts';
import { documentClient } from '../functions/shared/runtime.ts';
import { DEFAULT_DATA_DIR, localClients, readEndpoints, type LocalClients } from './clients.ts';
import { isLocalRuntimeError, LocalRuntimeError } from './errors.ts';

const USAGE = `Usage:
  npx tsx local/decide.ts                                   list the tasks waiting for a decision
  npx tsx local/decide.ts <taskId> approve|reject|return [reason]
  npx tsx local/decide.ts <taskId> dismiss|uphold [reason]  decide an objection
Options: --data-dir <dir> (default ${DEFAULT_DATA_DIR}), --as <approver id> (default local-approver)`;

async function pendingTasks(clients: LocalClients, tableName: string): Promise<ApprovalTask[]> {
  const documents = documentClient(clients.dynamodb);
  const tasks: ApprovalTask[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    // A scan is fine for a local tool; the API reads inboxes through the inbox index instead.
    const page = await documents.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'entity = :task AND #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':task': 'TASK', ':pending': 'PENDING' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    tasks.push(...((page.Items ?? []) as ApprovalTask[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return tasks.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { 'data-dir': { type: 'string', default: DEFAULT_DATA_DIR }, as: { type: 'string', default: 'local-approver' }, help: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (values.help) return void console.log(USAGE);
  const endpoints = readEndpoints(values['data-dir']);
  const clients = localClients(endpoints);
  try {
    const [taskId, decisionText, ...reasonWords] = positionals;
    if (taskId === undefined) {
      const tasks = await pendingTasks(clients, endpoints.tableName);
      if (tasks.length === 0) return void console.log('No task is waiting for a decision.');
      console.log('Tasks waiting for a decision (soonest due first):');
      for (const task of tasks) {
        const overdue = task.escalations > 0 ? `, escalated ${task.escalations}×` : '';
        const decisions = task.kind === 'adjudication' ? 'dismiss|uphold' : 'approve|reject|return';
        console.log(`  ${task.taskId}  ${task.kind} by ${task.tier} (${task.regionCode}), due ${task.dueAt}${overdue}  → ${decisions}`);
      }
      return;
    }
    if (!DECISIONS.includes(decisionText as Decision)) {
      throw new LocalRuntimeError('INVALID_ARGUMENT', `Say what to decide: one of ${DECISIONS.join(', ')}.\n\n${USAGE}`);
    }
    const decision = decisionText as Decision;
    const reason = reasonWords.join(' ').trim();
    if (reasonRequired(decision) && reason.length < MIN_REASON_LENGTH) {
      throw new LocalRuntimeError('INVALID_ARGUMENT', `A ${decision} needs a reason of at least ${MIN_REASON_LENGTH} characters, e.g.:\n  npx tsx local/decide.ts ${taskId} ${decision} "Rumah sudah permanen"`);
    }
    const decided = await decideTask(
      { store: clients.store, freezes: clients.freezes, workflow: clients.workflow, now: clients.now },
      { taskId, decision, ...(reason ? { reason } : {}), actor: { type: 'user', id: values.as } },
    );
    console.log(`Recorded ${decision} on ${taskId} (${decided.kind} by ${decided.tier}).`);
    // The workflow moves on asynchronously; show where the proposal stands a moment later.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const proposal = await clients.store.getProposal(decided.proposalId);
    if (proposal) console.log(`Proposal ${proposal.id}: ${proposal.status} / ${proposal.stage}${proposal.tier ? ` / ${proposal.tier}` : ''}`);
  } finally {
    clients.destroy();
  }
}

main().catch((error: unknown) => {
  const code = (error as { code?: string; cause?: { code?: string } } | null)?.code;
  if (isLocalRuntimeError(error)) console.error(error.message);
  else if (error instanceof DecisionNotAllowed && error.code === 'TASK_NOT_FOUND') console.error('No such task. Run without arguments to list the waiting ones.');
  else if (error instanceof DecisionNotAllowed) console.error('That decision does not fit this task: approval tasks take approve|reject|return, objections dismiss|uphold.');
  else if (error instanceof ConflictError) console.error(`${error.message} (${error.code}).`);
  else if (code === 'ECONNREFUSED' || (error as Error)?.name === 'TimeoutError') console.error('The local stack does not answer: is `npm start` running?');
  else console.error(error);
  process.exit(1);
});
