/**
 * What a long benchmark says while it runs: timestamped lines on stderr (stdout keeps the result table), and
 * counters that report at most every few seconds so a 10,000-proposal run neither floods nor goes silent.
 */
export interface Progress {
  note(message: string): void;
  warn(message: string): void;
  /** A counter towards `total` that prints `label done/total (rate/s)` every `everyMs` and at the end. */
  counter(label: string, total: number, everyMs?: number): Counter;
  /** The same progress under a longer prefix: `cost-per-recipient run 2/3`. */
  child(prefix: string): Progress;
}

export interface Counter {
  add(n?: number): void;
  readonly done: number;
  finish(): void;
}

export function consoleProgress(prefix = 'bench', started = Date.now()): Progress {
  const stamp = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s`;
  const line = (message: string) => process.stderr.write(`[${stamp()}] ${prefix}: ${message}\n`);
  return {
    note: line,
    warn: (message) => line(`WARNING ${message}`),
    counter(label, total, everyMs = 5000) {
      const from = Date.now();
      let done = 0;
      // The first report waits everyMs too: a rate from the first batch alone is noise.
      let last = from;
      let finished = false;
      const report = () => {
        const seconds = (Date.now() - from) / 1000;
        const rate = seconds > 0 ? done / seconds : 0;
        const left = rate > 0 && done < total ? `, ${timeLeft((total - done) / rate)} left` : '';
        line(`${label} ${done}/${total}${rate > 0 ? ` (${rate.toFixed(1)}/s${left})` : ''}`);
      };
      return {
        get done() {
          return done;
        },
        add(n = 1) {
          done += n;
          if (Date.now() - last >= everyMs) {
            last = Date.now();
            report();
          }
        },
        finish() {
          if (finished) return;
          finished = true;
          report();
        },
      };
    },
    child: (more) => consoleProgress(`${prefix} ${more}`, started),
  };
}

/** About how long the rest takes at the rate so far: `40 s`, `12 min`, `2.4 h`. */
export function timeLeft(seconds: number): string {
  if (seconds < 90) return `~${Math.ceil(seconds)} s`;
  if (seconds < 90 * 60) return `~${Math.round(seconds / 60)} min`;
  return `~${(seconds / 3600).toFixed(1)} h`;
}
