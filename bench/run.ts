/**
 * `npm run bench [-- --only <figure>[,<figure>]] [--runs N] [--quick]`
 *
 * Runs the figures of bench/README.md against the offline stack, each `--runs` times, prints a table with the
 * median of every metric and a verdict, and records everything (date, machine, parameters, each run) in
 * bench/results.json. Figures measured in an earlier invocation stay in the file until measured again; --quick
 * ones are recorded apart, as `<figure> (quick)`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { costPerRecipient } from './cost-per-recipient.ts';
import { bulkImport } from './bulk-import.ts';
import { FIGURE_IDS, type BenchOptions, type Figure, type FigureId, type FigureRun, type Verdict } from './figure.ts';
import { lambdaStartup } from './lambda-startup.ts';
import { photoLookup } from './photo-lookup.ts';
import { throughput } from './throughput.ts';
import { consoleProgress } from './support/progress.ts';
import { BENCH_DIR, ensureSynthesized } from './support/runtime.ts';
import { median } from './support/stats.ts';
import { renderTable } from './support/table.ts';

const FIGURES: Record<FigureId, Figure<any>> = {
  'cost-per-recipient': costPerRecipient,
  'lambda-startup': lambdaStartup,
  throughput,
  'bulk-import': bulkImport,
  'photo-lookup': photoLookup,
};
const RESULTS_FILE = join(BENCH_DIR, 'results.json');

const USAGE = `Usage: npm run bench [-- --only <figure>[,<figure>...]] [--runs N] [--quick]
Figures: ${FIGURE_IDS.join(', ')}
  --only   run just these figures (default: all, in the order above)
  --runs   runs per figure; each metric is recorded as the median over them (default 3)
  --quick  smaller sizes (throughput 200 proposals, bulk import 5,000 rows, photo sets of 1,000 / 5,000 hashes
           and a stored photo index of 20,000)
photo-lookup keeps an index of 1,000,000 really stored hashes in bench/.data: the first invocation builds it
(~39 GB of disk), later ones reuse it. Delete bench/.data/photo-index-* to free the disk.`;

interface FigureResult {
  title: string;
  measuredAt: string;
  machine: ReturnType<typeof machineInfo>;
  options: BenchOptions;
  parameters: Record<string, unknown>;
  metrics: Record<string, { median: number; unit: string; runs: number[] }>;
  verdicts: Verdict[];
  runs: FigureRun[];
  error?: string;
}

function parseOptions(): { options: BenchOptions; figures: FigureId[] } {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        only: { type: 'string' },
        runs: { type: 'string' },
        quick: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const runs = parsed.runs === undefined ? 3 : Number(parsed.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`--runs takes a whole number of at least 1, not ${parsed.runs}\n\n${USAGE}`);
    process.exit(2);
  }
  const figures = parsed.only === undefined ? [...FIGURE_IDS] : parsed.only.split(',').map((name) => name.trim());
  const unknown = figures.filter((name) => !(FIGURE_IDS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    console.error(`Unknown figure ${unknown.join(', ')}\n\n${USAGE}`);
    process.exit(2);
  }
  return { options: { quick: parsed.quick ?? false, runs }, figures: FIGURE_IDS.filter((id) => figures.includes(id)) };
}

function machineInfo() {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    /** How busy the machine was when the figure started: the figures are only as steady as this. */
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
  };
}

function readResults(): { figures: Record<string, FigureResult> } {
  if (!existsSync(RESULTS_FILE)) return { figures: {} };
  try {
    const previous = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as { figures?: Record<string, FigureResult> };
    return { figures: previous.figures ?? {} };
  } catch {
    return { figures: {} };
  }
}

function writeResults(figures: Record<string, FigureResult>, options: BenchOptions, selected: FigureId[]): void {
  const content = { date: new Date().toISOString(), machine: machineInfo(), invocation: { ...options, figures: selected }, figures };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(content, null, 2)}\n`);
}

/**
 * Runs a figure `options.runs` times. `record` gets the result after every run, so an invocation stopped
 * part way (an hour-long throughput run, say) keeps the runs it finished.
 */
async function runFigure(figure: Figure<any>, options: BenchOptions, record: (result: FigureResult) => void): Promise<FigureResult> {
  const progress = consoleProgress(figure.id);
  const parameters = figure.parameters(options);
  const result: FigureResult = {
    title: figure.title,
    measuredAt: new Date().toISOString(),
    machine: machineInfo(),
    options,
    parameters,
    metrics: {},
    verdicts: [],
    runs: [],
  };
  progress.note(`${figure.title}; ${options.runs} run(s); ${JSON.stringify(parameters)}`);
  try {
    for (let run = 1; run <= options.runs; run++) {
      const started = Date.now();
      const measured = await figure.run({ options, parameters, progress: progress.child(`run ${run}/${options.runs}`), run });
      result.runs.push(measured);
      progress.note(`run ${run}/${options.runs} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      if (run < options.runs) record(summarize(figure, result));
    }
  } catch (error) {
    result.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    progress.warn(`failed: ${result.error}`);
  }
  return summarize(figure, result);
}

/** Each metric's median over the runs so far, and the verdicts on them. */
function summarize(figure: Figure<any>, runsSoFar: FigureResult): FigureResult {
  const result: FigureResult = { ...runsSoFar, runs: [...runsSoFar.runs], metrics: {}, verdicts: [] };
  const { parameters } = result;
  const specs = figure.metrics(parameters);
  const names = [...new Set([...Object.keys(specs), ...result.runs.flatMap((run) => Object.keys(run.metrics))])];
  for (const name of names) {
    const values = result.runs.map((run) => run.metrics[name]).filter((value): value is number => value !== undefined);
    if (values.length === 0) continue;
    result.metrics[name] = { median: median(values), unit: specs[name]?.unit ?? '', runs: values };
  }
  const medians = Object.fromEntries(Object.entries(result.metrics).map(([name, metric]) => [name, metric.median]));
  if (result.runs.length > 0) result.verdicts = figure.verdicts(medians, parameters, result.runs);
  if (result.error) result.verdicts.push({ metric: '(figure)', level: 'bad', why: `did not complete: ${result.error.split('\n')[0]}` });
  return result;
}

function printFigure(figure: Figure<any>, result: FigureResult): void {
  const medians = Object.fromEntries(Object.entries(result.metrics).map(([name, metric]) => [name, metric.median]));
  const specs = figure.metrics(result.parameters);
  console.log(`\n${figure.id}: ${figure.title} (median of ${result.runs.length} run${result.runs.length === 1 ? '' : 's'})`);
  if (figure.table && result.runs.length > 0) {
    const { header, rows } = figure.table(medians, result.verdicts, result.parameters);
    console.log(renderTable(header, rows));
  } else {
    const verdictOf = (name: string) => result.verdicts.find((verdict) => verdict.metric === name);
    const rows = Object.entries(result.metrics).map(([name, metric]) => {
      const verdict = verdictOf(name);
      return [
        name,
        formatNumber(metric.median, specs[name]?.digits ?? 2),
        metric.unit,
        metric.runs.map((value) => formatNumber(value, specs[name]?.digits ?? 2)).join(' '),
        verdict ? `${verdict.level}: ${verdict.why}` : '',
      ];
    });
    console.log(renderTable(['metric', 'median', 'unit', 'runs', 'verdict'], rows));
  }
  // Verdicts the rows above do not show: on whole-figure matters, or (for tables of their own) the explanations.
  const listed = new Set(Object.keys(result.metrics));
  const extra = result.verdicts.filter((verdict) => (figure.table ? verdict.level === 'info' || !listed.has(verdict.metric) : !listed.has(verdict.metric)));
  for (const verdict of extra) console.log(`  ${verdict.level.toUpperCase()} ${verdict.metric}: ${verdict.why}`);
}

function formatNumber(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '-';
  const magnitude = Math.abs(value);
  // Small prices need significant digits, not fixed decimals.
  if (magnitude !== 0 && magnitude < 10 ** -digits) return value.toPrecision(3);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function main(): Promise<void> {
  const { options, figures } = parseOptions();
  const progress = consoleProgress();
  progress.note(`figures: ${figures.join(', ')}; runs: ${options.runs}${options.quick ? '; quick sizes' : ''}; Node ${process.version}`);
  if (!process.version.startsWith('v22.')) {
    progress.warn(`running on Node ${process.version}; Lambda runs nodejs22.x (npm run bench uses the project's Node 22)`);
  }
  // Every figure reads the synthesized stack: its bundles, functions, table definition or all of them.
  await ensureSynthesized(progress);
  const results = readResults();
  let failed = false;
  for (const id of figures) {
    const figure = FIGURES[id];
    // A quick look is recorded beside the full figure, never in its place.
    const key = options.quick ? `${id} (quick)` : id;
    const result = await runFigure(figure, options, (runsSoFar) => {
      results.figures[key] = runsSoFar;
      writeResults(results.figures, options, figures);
      printFigure(figure, runsSoFar);
    });
    failed ||= result.error !== undefined;
    results.figures[key] = result;
    writeResults(results.figures, options, figures);
    printFigure(figure, result);
  }
  console.log(`\nRecorded in ${RESULTS_FILE}`);
  process.exitCode = failed ? 1 : 0;
}

await main();
