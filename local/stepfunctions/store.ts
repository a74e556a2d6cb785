import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonValue, MachineDefinition } from './definition.ts';
import type { StoredHistoryEvent } from './history.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** Where a pending task token stands; absolute epoch-ms deadlines so a restart keeps the remaining time. */
export interface PendingTask {
  token: string;
  /** The integration was called (TaskSubmitted); a resume must not call it again. */
  invoked: boolean;
  deadline: number | null;
  heartbeatMs: number | null;
  heartbeatDeadline: number | null;
  /** SendTaskSuccess/Failure that arrived while the execution was not running in any host. */
  outcome?: TokenOutcome;
}

export type TokenOutcome = { ok: true; output: JsonValue } | { ok: false; error: string; cause: string };

/** The top-level state the execution is in, with what is needed to re-enter it. */
export interface Checkpoint {
  stateName: string;
  input: JsonValue;
  enteredAt: number;
  /** Attempts used per retrier of this state, so MaxAttempts bounds the total across restarts. */
  retryAttempts: number[];
  retryAt?: number;
  waitUntil?: number;
  task?: PendingTask;
}

export interface ExecutionRecord {
  version: 1;
  executionArn: string;
  stateMachineArn: string;
  name: string;
  definitionHash: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
  /** From the definition's TimeoutSeconds, scaled. */
  executionDeadline?: number;
  history: StoredHistoryEvent[];
  checkpoint?: Checkpoint;
  /** Tokens that can no longer be used and why, so a restarted host answers TaskDoesNotExist / TaskTimedOut. */
  retiredTokens: Record<string, 'closed' | 'timedOut'>;
}

export function definitionHash(definition: MachineDefinition): string {
  return createHash('sha256').update(JSON.stringify(definition)).digest('hex');
}

/**
 * One JSON file per execution under `<dataDir>/executions`, definitions by content hash under
 * `<dataDir>/definitions`. Every write goes to a temporary file that is renamed over the old one, so a
 * crash leaves either the previous or the new record, never half of one. Writes are synchronous so the
 * order on disk is the order of events (a token is on disk before the function that receives it runs).
 */
export class ExecutionStore {
  private readonly executionsDir: string;
  private readonly definitionsDir: string;
  private sequence = 0;

  constructor(dataDir: string) {
    this.executionsDir = join(dataDir, 'executions');
    this.definitionsDir = join(dataDir, 'definitions');
    mkdirSync(this.executionsDir, { recursive: true });
    mkdirSync(this.definitionsDir, { recursive: true });
  }

  loadAll(): ExecutionRecord[] {
    const records: ExecutionRecord[] = [];
    for (const file of readdirSync(this.executionsDir)) {
      const path = join(this.executionsDir, file);
      if (file.endsWith('.tmp')) {
        // Left by a crash between write and rename; the record it was replacing is intact.
        unlinkSync(path);
        continue;
      }
      if (!file.endsWith('.json')) continue;
      const record = JSON.parse(readFileSync(path, 'utf8')) as ExecutionRecord;
      if (record.version === 1) records.push(record);
    }
    return records;
  }

  save(record: ExecutionRecord): void {
    this.writeAtomically(join(this.executionsDir, `${fileKey(record.executionArn)}.json`), JSON.stringify(record));
  }

  saveDefinition(hash: string, definition: MachineDefinition): void {
    const path = join(this.definitionsDir, `${hash}.json`);
    if (!existsSync(path)) this.writeAtomically(path, JSON.stringify(definition));
  }

  loadDefinition(hash: string): MachineDefinition | undefined {
    const path = join(this.definitionsDir, `${hash}.json`);
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as MachineDefinition) : undefined;
  }

  private writeAtomically(path: string, content: string): void {
    this.sequence += 1;
    const temporary = `${path}.${process.pid}.${this.sequence}.tmp`;
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  }
}

/** ARNs contain colons and can exceed file-name limits once escaped; a hash is neither a problem. */
function fileKey(executionArn: string): string {
  return createHash('sha256').update(executionArn).digest('hex');
}
