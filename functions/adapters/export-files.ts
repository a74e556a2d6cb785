/** Where cut-off exports are written: the exports bucket. */
export interface ExportFiles {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
}

/** `exports/2025-03/`: one folder per cut-off month. */
export const exportPrefix = (cutoff: string) => `exports/${cutoff}/`;
