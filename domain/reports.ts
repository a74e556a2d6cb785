import { parentCodes } from './regions.ts';
import type { Stage, Status } from './lifecycle.ts';

/** What a summary needs of one proposal. */
export type ReportedProposal = {
  villageCode: string;
  status: Status;
  stage: Stage;
  /** Days spent in each stage the proposal has left (or is in), as the store accumulates them. */
  stageDays?: Partial<Record<Stage, number>>;
};

export type Counts = { byStatus: Partial<Record<Status, number>>; byStage: Partial<Record<Stage, number>> };

const emptyCounts = (): Counts => ({ byStatus: {}, byStage: {} });

function count(counts: Counts, proposal: ReportedProposal) {
  counts.byStatus[proposal.status] = (counts.byStatus[proposal.status] ?? 0) + 1;
  counts.byStage[proposal.stage] = (counts.byStage[proposal.stage] ?? 0) + 1;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return Math.round(value * 100) / 100;
}

/**
 * Counts per status and stage, for the region and per regency and district inside it, and the median days a
 * proposal spends in each stage (over the proposals that spent time in it).
 */
export class SummaryBuilder {
  readonly totals = emptyCounts();
  readonly #regencies = new Map<string, { counts: Counts; districts: Map<string, Counts> }>();
  readonly #stageDays = new Map<Stage, number[]>();

  add(proposal: ReportedProposal): void {
    const { regency, district } = parentCodes(proposal.villageCode);
    count(this.totals, proposal);
    let regencyEntry = this.#regencies.get(regency);
    if (!regencyEntry) this.#regencies.set(regency, (regencyEntry = { counts: emptyCounts(), districts: new Map() }));
    count(regencyEntry.counts, proposal);
    let districtCounts = regencyEntry.districts.get(district);
    if (!districtCounts) regencyEntry.districts.set(district, (districtCounts = emptyCounts()));
    count(districtCounts, proposal);
    for (const [stage, days] of Object.entries(proposal.stageDays ?? {}) as [Stage, number][]) {
      if (days > 0) (this.#stageDays.get(stage) ?? this.#stageDays.set(stage, []).get(stage)!).push(days);
    }
  }

  regencies(nameOf: (code: string) => string | undefined) {
    return [...this.#regencies.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, { counts, districts }]) => ({
        code,
        name: nameOf(code) ?? code,
        ...counts,
        districts: [...districts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([d, c]) => ({ code: d, ...c })),
      }));
  }

  medianDaysPerStage(): Partial<Record<Stage, number>> {
    return Object.fromEntries([...this.#stageDays.entries()].map(([stage, days]) => [stage, median(days)!]));
  }
}
