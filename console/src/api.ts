import type { ConsoleConfig } from './config.ts';
import { lang } from './i18n.ts';
import { currentSession } from './session.ts';

/** The API's error body, or a transport failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; code: string; message: string }[] = [],
  ) {
    super(message);
  }
}

let config: ConsoleConfig;
export function useConfig(next: ConsoleConfig): void {
  config = next;
}
export const apiConfig = (): ConsoleConfig => config;

type Options = { body?: unknown; headers?: Record<string, string>; auth?: boolean; raw?: boolean };

/** Calls the HTTP API with the session's token and the chosen language; throws ApiError on anything not 2xx. */
export async function api<T = any>(method: 'GET' | 'POST' | 'PUT', path: string, options: Options = {}): Promise<T> {
  const session = options.auth === false ? undefined : currentSession();
  let response: Response;
  try {
    response = await fetch(`${config.apiUrl}${path}`, {
      method,
      headers: {
        'accept-language': lang,
        ...(session && { authorization: `Bearer ${session.token}` }),
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'network');
  }
  const text = await response.text();
  if (!response.ok) {
    let parsed: any;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const error = parsed?.error;
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? parsed?.message ?? `HTTP ${response.status}`, error?.details ?? []);
  }
  if (options.raw) return text as T;
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

export type UploadSlot = { kind: string; url: string; fields: Record<string, string>; expiresAt: string; maxBytes: number; contentTypes: string[] };

/**
 * Sends a file through a presigned POST with XMLHttpRequest, because fetch reports no upload progress and
 * operators on a slow connection need to see that something is moving.
 */
export function uploadToSlot(slot: UploadSlot, file: Blob, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(slot.fields)) form.append(name, value);
    form.append('file', file);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', slot.url);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        const code = /<Code>([^<]+)<\/Code>/.exec(xhr.responseText)?.[1] ?? `HTTP_${xhr.status}`;
        reject(new ApiError(xhr.status, code, code));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'network'));
    xhr.send(form);
  });
}

export function idempotencyKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
