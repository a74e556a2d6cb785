import type { CompletedChange, CutoffId, ExportManifest } from '../../domain/cutoff.ts';

/** A cut-off's export: its manifest, where its files are, and whether "Cut-off export ready" went out. */
export interface ExportRecord {
  /** The cut-off month, `2025-03`: one export per cut-off. */
  cutoff: CutoffId;
  manifest: ExportManifest;
  manifestKey: string;
  /** SHA-256 of the manifest object's bytes. */
  manifestSha256: string;
  /** Object key per file name in the manifest. */
  fileKeys: Record<string, string>;
  /** The manifest object's exact text, so a run that resumes after a crash writes the same bytes again. */
  manifestJson: string;
  createdAt: string;
  published: boolean;
}

/** The records the monthly cut-off reads and keeps, in the records table. */
export interface ExportsStore {
  /** Proposals that completed approved with `from <= completedAt < to`, by completion time. */
  changesBetween(provinceCode: string, from: string, to: string): Promise<CompletedChange[]>;
  getExport(cutoff: CutoffId): Promise<ExportRecord | undefined>;
  /** Records the export once; a second record for the same cut-off is refused and the first one returned. */
  createExport(record: ExportRecord): Promise<{ created: true } | { created: false; existing: ExportRecord }>;
  markPublished(cutoff: CutoffId): Promise<void>;
  /** Newest cut-off first. */
  listExports(limit: number): Promise<ExportRecord[]>;
}
