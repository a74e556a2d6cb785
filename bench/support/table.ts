/** A plain-text table: columns padded to their widest cell, numbers right-aligned, long verdicts left to wrap. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    // The last column (verdict) is not padded: it is free text of any length.
    column === header.length - 1 ? 0 : Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = (cell: string) => /^-?[\d,.]+(e-?\d+)?$/.test(cell) || cell === '-';
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (widths[column] === 0 ? cell : numeric(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width, column) => '-'.repeat(width || header[column]!.length))), ...rows.map(line)].join('\n');
}
