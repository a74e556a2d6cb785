/** config.json, served beside the assets: where the API is and how people sign in. */
export type ConsoleConfig = {
  /** The HTTP API's base URL, without a trailing slash. */
  apiUrl: string;
  /** The two-digit province code the stack serves. */
  province: string;
  auth:
    | { kind: 'local'; issuer: string; users?: { username: string; title: string }[] }
    | { kind: 'cognito'; region: string; clientId: string };
};

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('config.json', { cache: 'no-cache' } as RequestInit);
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = (await response.json()) as ConsoleConfig;
  return { ...config, apiUrl: config.apiUrl.replace(/\/+$/, '') };
}
