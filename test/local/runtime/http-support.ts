import { expect } from 'vitest';
import type { UploadSlotSchema } from '../../../functions/api/schemas.ts';
import { DEMO_PASSWORD } from '../../../local/demo-users.ts';
import type { LocalRuntime } from '../../../local/runtime.ts';
import { makeJpeg, makePdf, type LatLon } from '../../support/evidence-fixtures.ts';
import type { z } from 'zod';

/*
 * A client of the local stack as a person or a script is one: signs in at the local issuer with a demo user's
 * password, calls the HTTP API with fetch, and sends files through the presigned POSTs the API hands out.
 */

export type UploadSlot = z.infer<typeof UploadSlotSchema>;

export type HttpResponse = { status: number; headers: Headers; body: any; text: string };

export interface ApiClient {
  /** The `sub` of the signed-in user (absent for an anonymous client): the id the API records as the actor. */
  sub: string | undefined;
  call(method: 'GET' | 'POST' | 'PUT', path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<HttpResponse>;
}

/** An ID token for a demo user, from `POST <issuer>/token`. */
export async function signIn(runtime: LocalRuntime, username: string): Promise<string> {
  const response = await fetch(`${runtime.endpoints.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  const text = await response.text();
  expect(response.status, `sign-in of ${username}: ${text}`).toBe(200);
  return (JSON.parse(text) as { idToken: string }).idToken;
}

/** The claims of a JWT, read without checking it (the gateway does that). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Calls the HTTP API as `token`'s user, or anonymously without one. */
export function apiClient(runtime: LocalRuntime, token?: string): ApiClient {
  const base = runtime.endpoints.api;
  if (base === null) throw new Error('The template has no HTTP API');
  return {
    sub: token === undefined ? undefined : String(claimsOf(token).sub),
    async call(method, path, options = {}) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(token !== undefined && { authorization: `Bearer ${token}` }),
          ...(options.body !== undefined && { 'content-type': 'application/json' }),
          ...options.headers,
        },
        ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        // Not JSON (the CSV template): the text it is.
      }
      return { status: response.status, headers: response.headers, body, text };
    },
  };
}

/** Signs each demo user in once and keeps a client per user. */
export function clientsFor(runtime: LocalRuntime) {
  const clients = new Map<string, Promise<ApiClient>>();
  return (username: string): Promise<ApiClient> => {
    let client = clients.get(username);
    if (!client) {
      client = signIn(runtime, username).then((token) => apiClient(runtime, token));
      clients.set(username, client);
    }
    return client;
  };
}

/**
 * Sends a file through a presigned POST as a browser form does: the slot's fields, then the file. `fields`
 * replaces or adds form fields (a tampered key or signature).
 */
export async function postToSlot(
  slot: Pick<UploadSlot, 'url' | 'fields'>,
  file: Uint8Array,
  overrides: { fields?: Record<string, string>; contentType?: string } = {},
): Promise<{ status: number; text: string; code: string | undefined }> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...slot.fields, ...overrides.fields })) form.append(name, value);
  const type = overrides.contentType ?? overrides.fields?.['Content-Type'] ?? slot.fields['Content-Type'];
  form.append('file', new Blob([file], type ? { type } : {}), 'upload');
  const response = await fetch(slot.url, { method: 'POST', body: form });
  const text = await response.text();
  return { status: response.status, text, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] };
}

/** Good evidence for each document kind, as a village operator's phone makes it: photos at the house three days ago. */
export function goodEvidence(kind: string, seed: number, location: LatLon): Uint8Array {
  const takenAt = new Date(Date.now() - 3 * 86_400_000);
  switch (kind) {
    case 'house-front':
      return makeJpeg({ seed, takenAt, gps: location });
    case 'house-interior':
      return makeJpeg({ seed: seed + 1, takenAt, gps: location });
    case 'id-scan':
      return makeJpeg({ seed: seed + 2, takenAt });
    case 'berita-acara':
      return makePdf();
    default:
      throw new Error(`No evidence fixture for ${kind}`);
  }
}

/** Uploads good evidence through every slot; each upload must be accepted. */
export async function uploadGoodEvidence(slots: readonly UploadSlot[], seed: number, location: LatLon): Promise<void> {
  for (const slot of slots) {
    const uploaded = await postToSlot(slot, goodEvidence(slot.kind, seed, location));
    expect(uploaded.status, `upload of ${slot.kind}: ${uploaded.text}`).toBeLessThan(300);
  }
}

/** Polls `probe` every `intervalMs` until it gives a value; fails with `what` (and the last value seen) after the deadline. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 90_000, intervalMs = 300, last }: { timeoutMs?: number; intervalMs?: number; last?: () => unknown } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `; last seen: ${JSON.stringify(last())}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
