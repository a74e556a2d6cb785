import { SummaryBuilder } from '../../domain/reports.ts';
import { taskIdFor } from '../shared/tasks.ts';
import { apiHandler, authorize, json, type ApiDeps, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('reportSummary');

/**
 * Counts per status and stage for a region (the caller's by default), per regency and district, the
 * overdue tasks, and the median days proposals spend per stage. Reads the region's proposals once.
 */
export async function reportSummary(request: ApiRequest<typeof route>, deps: ApiDeps) {
  const region = request.query.region ?? request.caller.region;
  authorize(request, { regionCode: region });
  const now = deps.now();
  const summary = new SummaryBuilder();
  const waiting: string[] = [];
  for await (const proposal of deps.store.summarizeProposals(region)) {
    summary.add(proposal);
    // A waiting proposal has exactly one pending task: its tier's approval or the objections' adjudication.
    if (proposal.status === 'AWAITING_APPROVAL' && proposal.tier) {
      waiting.push(taskIdFor({ ...proposal, proposalId: proposal.id, kind: 'approval', tier: proposal.tier }));
    } else if (proposal.stage === 'ADJUDICATION' && proposal.tier) {
      waiting.push(taskIdFor({ ...proposal, proposalId: proposal.id, kind: 'adjudication', tier: proposal.tier }));
    }
  }
  let overdueTasks = 0;
  // A few reads at a time: quick for a region's backlog without bursting the table.
  for (let i = 0; i < waiting.length; i += 16) {
    const tasks = await Promise.all(waiting.slice(i, i + 16).map((taskId) => deps.store.getTask(taskId)));
    overdueTasks += tasks.filter((task) => task?.status === 'PENDING' && Date.parse(task.dueAt) < now.getTime()).length;
  }
  const regions = deps.regions();
  return json(200, {
    region,
    generatedAt: now.toISOString(),
    totals: summary.totals,
    regencies: summary.regencies((code) => regions.regencyName(code)),
    overdueTasks,
    medianDaysPerStage: summary.medianDaysPerStage(),
  });
}

export const handler = apiHandler(route, reportSummary);
