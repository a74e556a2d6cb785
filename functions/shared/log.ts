/**
 * Structured JSON logs. Callers pass ids and codes only: never NIK, KK, names or addresses,
 * so nothing personal reaches CloudWatch (UU PDP).
 */
type Fields = Record<string, string | number | boolean | undefined>;

export function log(level: 'info' | 'warn' | 'error', message: string, fields: Fields = {}): void {
  const line = JSON.stringify({ level, message, ...fields, at: new Date().toISOString() });
  if (level === 'error') console.error(line);
  else console.log(line);
}
