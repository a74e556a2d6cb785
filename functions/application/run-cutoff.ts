import { cutoffWindowAt, exportBaseName, exportFiles, exportManifest, exportRows, sha256 } from '../../domain/cutoff.ts';
import type { ProvinceConfig } from '../../domain/province-config.ts';
import { exportPrefix, type ExportFiles } from '../adapters/export-files.ts';
import type { ExportRecord, ExportsStore } from '../adapters/exports-store.ts';

/** "Cut-off export ready": ids, keys and checksums only, nothing personal. */
export type CutoffReadyEvent = {
  provinceCode: string;
  cutoff: string;
  exportId: string;
  manifestKey: string;
  manifestSha256: string;
  counts: Record<string, number>;
};

export type CutoffDeps = {
  config: ProvinceConfig;
  exports: ExportsStore;
  files: ExportFiles;
  publish: (event: CutoffReadyEvent) => Promise<void>;
  now: () => Date;
};

export type CutoffResult = { outcome: 'CREATED' | 'EXISTING'; record: ExportRecord };

/**
 * The cut-off the scheduled time belongs to, exported once. The files' bytes depend only on the window's changes
 * (and a window lies in the past, so they no longer change): files written by a run that lost a race or crashed
 * are the same bytes. The conditional export record decides which run's manifest counts; the manifest object and
 * the event follow it, and a run that finds the record unpublished finishes that tail with the recorded bytes.
 */
export async function runCutoff(deps: CutoffDeps, scheduledTime: Date): Promise<CutoffResult> {
  const { config } = deps;
  const window = cutoffWindowAt(config, scheduledTime);
  const existing = await deps.exports.getExport(window.cutoff);
  if (existing) return { outcome: 'EXISTING', record: await finish(deps, existing) };

  const changes = await deps.exports.changesBetween(config.provinceCode, window.from, window.to);
  const rows = exportRows(changes);
  const files = exportFiles(config.provinceCode, window, rows);
  const prefix = exportPrefix(window.cutoff);
  for (const file of files) await deps.files.put(`${prefix}${file.name}`, file.body, file.contentType);

  const manifest = exportManifest(config.provinceCode, window, rows, files, deps.now());
  const manifestJson = `${JSON.stringify(manifest, null, 2)}\n`;
  const record: ExportRecord = {
    cutoff: window.cutoff,
    manifest,
    manifestJson,
    manifestKey: `${prefix}${exportBaseName(config.provinceCode, window.cutoff)}.manifest.json`,
    manifestSha256: sha256(manifestJson),
    fileKeys: Object.fromEntries(files.map((file) => [file.name, `${prefix}${file.name}`])),
    createdAt: deps.now().toISOString(),
    published: false,
  };
  const created = await deps.exports.createExport(record);
  if (!created.created) return { outcome: 'EXISTING', record: await finish(deps, created.existing) };
  return { outcome: 'CREATED', record: await finish(deps, record) };
}

/** Writes the manifest and publishes the event, unless a run already did both. */
async function finish(deps: CutoffDeps, record: ExportRecord): Promise<ExportRecord> {
  if (record.published) return record;
  await deps.files.put(record.manifestKey, Buffer.from(record.manifestJson, 'utf8'), 'application/json');
  await deps.publish({
    provinceCode: record.manifest.provinceCode,
    cutoff: record.cutoff,
    exportId: record.cutoff,
    manifestKey: record.manifestKey,
    manifestSha256: record.manifestSha256,
    counts: record.manifest.counts,
  });
  await deps.exports.markPublished(record.cutoff);
  return { ...record, published: true };
}
