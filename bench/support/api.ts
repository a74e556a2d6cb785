/**
 * A client of the local stack's HTTP API as the village's phones and the approvers' console use it: sign in
 * at the local issuer, call routes with the ID token, send files through the presigned POSTs handed out.
 */
import { DEMO_PASSWORD } from '../../local/demo-users.ts';
import type { LocalRuntime } from '../../local/runtime.ts';

export interface UploadSlot {
  kind: string;
  url: string;
  fields: Record<string, string>;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
}

export interface ApiClient {
  call<T = any>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<ApiResponse<T>>;
  /** Like call, but anything but `status` throws with the response text. */
  expect<T = any>(status: number, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T>;
}

export async function signIn(runtime: LocalRuntime, username: string): Promise<ApiClient> {
  const response = await fetch(`${runtime.endpoints.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`Sign-in of ${username} failed (${response.status}): ${text}`);
  const { idToken } = JSON.parse(text) as { idToken: string };
  const base = runtime.endpoints.api;
  if (base === null) throw new Error('The template has no HTTP API');

  const call = async <T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const answer = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${idToken}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const raw = await answer.text();
    let parsed: unknown = raw;
    try {
      parsed = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      // Not JSON: the text it is.
    }
    return { status: answer.status, body: parsed as T, text: raw };
  };
  return {
    call,
    async expect(status, method, path, body) {
      const answer = await call<any>(method, path, body);
      if (answer.status !== status) throw new Error(`${method} ${path} answered ${answer.status}, not ${status}: ${answer.text.slice(0, 500)}`);
      return answer.body;
    },
  };
}

/** Sends a file through a presigned POST as a browser form does; S3 answers 204. */
export async function postToSlot(slot: UploadSlot, file: Uint8Array, contentType?: string): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(slot.fields)) form.append(name, value);
  const type = contentType ?? slot.fields['Content-Type'];
  form.append('file', new Blob([file], type ? { type } : {}), 'upload');
  const response = await fetch(slot.url, { method: 'POST', body: form });
  if (response.status >= 300) throw new Error(`Upload of ${slot.fields.key ?? slot.kind} failed (${response.status}): ${(await response.text()).slice(0, 500)}`);
  await response.arrayBuffer();
}

export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, { timeoutMs = 120_000, intervalMs = 50 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
