/**
 * What every figure gives the runner: its parameters, one measured run at a time (metrics plus whatever detail
 * explains them), and its verdicts on the medians. The runner repeats runs, takes medians, prints and records.
 */
import type { Progress } from './support/progress.ts';

export const FIGURE_IDS = ['cost-per-recipient', 'lambda-startup', 'throughput', 'bulk-import', 'photo-lookup'] as const;
export type FigureId = (typeof FIGURE_IDS)[number];

export interface BenchOptions {
  /** Smaller sizes, for a quick look on a slow machine. */
  quick: boolean;
  /** Runs per figure; the recorded value of each metric is the median over them. */
  runs: number;
}

export interface MetricSpec {
  unit: string;
  /** Decimal places in the table. */
  digits: number;
}

export interface FigureRun {
  metrics: Record<string, number>;
  details?: unknown;
}

/** `info` explains without judging; the rest judge against thresholds the figure states up front. */
export type Level = 'ok' | 'watch' | 'bad' | 'info';

export interface Verdict {
  metric: string;
  level: Level;
  why: string;
}

export interface RunContext<P> {
  options: BenchOptions;
  parameters: P;
  progress: Progress;
  /** 1-based. */
  run: number;
}

export interface Figure<P extends Record<string, unknown> = Record<string, unknown>> {
  id: FigureId;
  title: string;
  /** Sizes and settings the runs use, recorded with the results. */
  parameters(options: BenchOptions): P;
  /** Metric names in table order, with units. Runs may add metrics not listed here (printed after, unitless). */
  metrics(parameters: P): Record<string, MetricSpec>;
  run(context: RunContext<P>): Promise<FigureRun>;
  verdicts(medians: Record<string, number>, parameters: P, runs: FigureRun[]): Verdict[];
  /** Rows for the printed table when a figure has its own columns (one row per function, say). */
  table?(medians: Record<string, number>, verdicts: Verdict[], parameters: P): { header: string[]; rows: string[][] };
}

/** The level of a value against "at most ok, at most watch, else bad" thresholds. */
export function levelAtMost(value: number, ok: number, watch: number): Level {
  if (!Number.isFinite(value)) return 'bad';
  return value <= ok ? 'ok' : value <= watch ? 'watch' : 'bad';
}

/** The level of a value against "at least ok, at least watch, else bad" thresholds. */
export function levelAtLeast(value: number, ok: number, watch: number): Level {
  if (!Number.isFinite(value)) return 'bad';
  return value >= ok ? 'ok' : value >= watch ? 'watch' : 'bad';
}
