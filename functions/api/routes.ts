import type { z } from 'zod';
import { ACCESS, type AccessRule, type OperationId } from '../../domain/access.ts';
import * as s from './schemas.ts';

/*
 * The HTTP API's contract: one entry per route. infra/ builds a Lambda and an API Gateway route from each
 * entry, the OpenAPI document is generated from it, and functions/api/http.ts enforces its access rule
 * and schemas. No AWS imports here: infra and the local runtime read it at synth time.
 */

/** What a route's function touches, so infra can grant exactly that. */
export type RouteNeeds = {
  /** Write access to the records table (all routes read it). */
  writesRecords?: boolean;
  /** Presigned POST slots (PutObject) under these evidence-bucket prefixes. */
  signsUploads?: 'proposals' | 'imports';
  /** Lists and presigns GETs of the evidence under proposals/. */
  readsEvidence?: boolean;
  /** Reads imported files under imports/. */
  readsImports?: boolean;
  /** Presigns GETs of the cut-off exports (exports bucket, under exports/). */
  readsExports?: boolean;
  startsWorkflow?: boolean;
  resumesWorkflow?: boolean;
  needsRegions?: boolean;
  /** Counts requests per client (public routes). */
  rateLimited?: boolean;
};

export type ResponseSpec = { description: string; schema?: z.ZodType; contentType?: string };

export type RouteSpec = {
  operationId: OperationId;
  method: 'GET' | 'POST' | 'PUT';
  /** API Gateway syntax: `/proposals/{id}`. */
  path: string;
  /** File in functions/api/ exporting `handler`. */
  handler: string;
  summary: { id: string; en: string };
  access: AccessRule;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** `Idempotency-Key` header honoured. */
  idempotent?: boolean;
  responses: Record<number, ResponseSpec>;
  needs: RouteNeeds;
  memorySize?: number;
  timeoutSeconds?: number;
};

const route = <const R extends Omit<RouteSpec, 'access'>>(spec: R) => ({ ...spec, access: ACCESS[spec.operationId] });

export const ROUTES = [
  route({
    operationId: 'createProposal',
    method: 'POST',
    path: '/proposals',
    handler: 'create-proposal.ts',
    summary: { id: 'Membuat usulan (draf) dan slot unggah dokumen', en: 'Create a draft proposal and its upload slots' },
    body: s.CreateProposalBody,
    idempotent: true,
    responses: { 201: { description: 'Draft created', schema: s.CreateProposalResponse } },
    needs: { writesRecords: true, signsUploads: 'proposals', needsRegions: true },
  }),
  route({
    operationId: 'requestUploads',
    method: 'POST',
    path: '/proposals/{id}/uploads',
    handler: 'request-uploads.ts',
    summary: { id: 'Slot unggah baru (pengganti atau foto tambahan)', en: 'Fresh upload slots (replacements, extra photos)' },
    params: s.ProposalIdParams,
    body: s.RequestUploadsBody,
    responses: { 200: { description: 'Upload slots', schema: s.RequestUploadsResponse } },
    needs: { signsUploads: 'proposals' },
  }),
  route({
    operationId: 'submitProposal',
    method: 'POST',
    path: '/proposals/{id}/submit',
    handler: 'submit-proposal.ts',
    summary: { id: 'Mengajukan usulan ke alur verifikasi', en: 'Submit the proposal into the workflow' },
    params: s.ProposalIdParams,
    responses: { 202: { description: 'Workflow started', schema: s.SubmitResponse } },
    needs: { writesRecords: true, startsWorkflow: true },
  }),
  route({
    operationId: 'reviseProposal',
    method: 'PUT',
    path: '/proposals/{id}',
    handler: 'revise-proposal.ts',
    summary: {
      id: 'Mengubah draf usulan (versi tetap) atau memperbaiki usulan yang dikembalikan (versi berikutnya)',
      en: 'Edit a draft in place (same version), or revise a returned proposal (next version)',
    },
    params: s.ProposalIdParams,
    body: s.ReviseProposalBody,
    responses: { 200: { description: 'The edited draft, or the next version as a draft', schema: s.CreateProposalResponse } },
    needs: { writesRecords: true, signsUploads: 'proposals', needsRegions: true },
  }),
  route({
    operationId: 'appealProposal',
    method: 'POST',
    path: '/proposals/{id}/appeal',
    handler: 'appeal-proposal.ts',
    summary: { id: 'Mengajukan banding atas usulan yang ditolak', en: 'Appeal a rejected proposal' },
    params: s.ProposalIdParams,
    body: s.AppealBody,
    responses: { 202: { description: 'Appeal filed, its execution started; upload the new evidence', schema: s.AppealResponse } },
    needs: { writesRecords: true, startsWorkflow: true, signsUploads: 'proposals' },
  }),
  route({
    operationId: 'getProposal',
    method: 'GET',
    path: '/proposals/{id}',
    handler: 'get-proposal.ts',
    summary: { id: 'Detail usulan, dokumen dan riwayat', en: 'A proposal with its documents and history' },
    params: s.ProposalIdParams,
    responses: { 200: { description: 'The proposal', schema: s.ProposalViewSchema } },
    needs: { readsEvidence: true },
  }),
  route({
    operationId: 'listProposals',
    method: 'GET',
    path: '/proposals',
    handler: 'list-proposals.ts',
    summary: { id: 'Daftar usulan di wilayah pengguna', en: "Proposals in the caller's region" },
    query: s.ListProposalsQuery,
    responses: { 200: { description: 'A page of proposals', schema: s.ListProposalsResponse } },
    needs: {},
  }),
  route({
    operationId: 'listTasks',
    method: 'GET',
    path: '/tasks',
    handler: 'list-tasks.ts',
    summary: { id: 'Kotak masuk tugas persetujuan', en: 'The approver inbox' },
    query: s.ListTasksQuery,
    responses: { 200: { description: 'Pending tasks, oldest due first', schema: s.ListTasksResponse } },
    needs: {},
  }),
  route({
    operationId: 'decideTask',
    method: 'POST',
    path: '/tasks/{taskId}/decision',
    handler: 'decide-task.ts',
    summary: { id: 'Memutuskan tugas', en: 'Decide a task' },
    params: s.TaskIdParams,
    body: s.DecisionBody,
    responses: {
      200: { description: 'Decision recorded', schema: s.DecisionResponse },
      202: { description: 'Decision recorded and held: the region is frozen', schema: s.DecisionHeldResponse },
    },
    needs: { writesRecords: true, resumesWorkflow: true },
    // A throttled send to the workflow is tried again for up to 10 s (application/deliver-decision.ts); API Gateway allows 30 s.
    timeoutSeconds: 29,
  }),
  route({
    operationId: 'decideTasks',
    method: 'POST',
    path: '/tasks/decisions',
    handler: 'decide-tasks.ts',
    summary: { id: 'Memutuskan banyak tugas sekaligus', en: 'Decide many tasks at once' },
    body: s.BatchDecisionBody,
    responses: { 200: { description: 'One outcome per decision, in order', schema: s.BatchDecisionResponse } },
    needs: { writesRecords: true, resumesWorkflow: true },
    // 200 decisions, 16 at a time, take a few seconds; none starts after 18 s and each retries a throttled send for
    // at most 8 s (functions/api/decide-tasks.ts), so all end inside API Gateway's 30 s.
    timeoutSeconds: 29,
  }),
  route({
    operationId: 'declareFreeze',
    method: 'POST',
    path: '/freezes',
    handler: 'declare-freeze.ts',
    summary: { id: 'Menetapkan masa penangguhan persetujuan', en: 'Declare an approval freeze' },
    body: s.DeclareFreezeBody,
    responses: { 201: { description: 'Freeze declared', schema: s.FreezeViewSchema } },
    needs: { writesRecords: true, needsRegions: true },
  }),
  route({
    operationId: 'listFreezes',
    method: 'GET',
    path: '/freezes',
    handler: 'list-freezes.ts',
    summary: { id: 'Daftar masa penangguhan', en: 'Approval freezes' },
    query: s.ListFreezesQuery,
    responses: { 200: { description: "Freezes of, above and inside the caller's region", schema: s.ListFreezesResponse } },
    needs: {},
  }),
  route({
    operationId: 'endFreeze',
    method: 'POST',
    path: '/freezes/{id}/end',
    handler: 'end-freeze.ts',
    summary: { id: 'Mengakhiri masa penangguhan lebih awal', en: 'End a freeze early' },
    params: s.FreezeIdParams,
    responses: { 200: { description: 'Freeze ended; held decisions sent', schema: s.EndFreezeResponse } },
    needs: { writesRecords: true, resumesWorkflow: true },
    // Sends held decisions for up to 12 s (each may retry a throttled send for 10 s); the scheduled release sends the rest.
    timeoutSeconds: 29,
  }),
  route({
    operationId: 'listPublicReview',
    method: 'GET',
    path: '/public/review/{villageCode}',
    handler: 'list-public-review.ts',
    summary: { id: 'Daftar uji publik desa', en: "A village's public review list" },
    params: s.VillageParams,
    responses: { 200: { description: 'Proposals in public review', schema: s.PublicReviewResponse } },
    needs: { writesRecords: true, rateLimited: true, needsRegions: true },
  }),
  route({
    operationId: 'fileObjection',
    method: 'POST',
    path: '/public/review/{proposalId}/objections',
    handler: 'file-objection.ts',
    summary: { id: 'Mengajukan sanggahan', en: 'File an objection' },
    params: s.ObjectionParams,
    body: s.ObjectionBody,
    responses: { 201: { description: 'Objection recorded', schema: s.ObjectionResponse } },
    needs: { writesRecords: true, rateLimited: true },
  }),
  route({
    operationId: 'listRegistry',
    method: 'GET',
    path: '/public/registry/{villageCode}',
    handler: 'list-registry.ts',
    summary: { id: 'Daftar penerima terdaftar di desa', en: "A village's registered recipients" },
    params: s.VillageParams,
    responses: { 200: { description: 'Registered households, as the public board shows them', schema: s.RegistryResponse } },
    needs: { writesRecords: true, rateLimited: true, needsRegions: true },
  }),
  route({
    operationId: 'objectToRegistered',
    method: 'POST',
    path: '/public/registry/{proposalId}/objections',
    handler: 'object-to-registered.ts',
    summary: { id: 'Menyanggah penerima terdaftar', en: 'Object to a registered recipient' },
    params: s.ObjectionParams,
    body: s.RegistryObjectionBody,
    responses: { 201: { description: 'Objection recorded; its receipt code', schema: s.RegistryObjectionResponse } },
    needs: { writesRecords: true, rateLimited: true },
  }),
  route({
    operationId: 'getObjectionStatus',
    method: 'GET',
    path: '/public/objections/{receipt}',
    handler: 'get-objection-status.ts',
    summary: { id: 'Cek status sanggahan', en: "An objection's status by receipt code" },
    params: s.ReceiptParams,
    responses: { 200: { description: 'The status', schema: s.ObjectionStatusResponse } },
    needs: { writesRecords: true, rateLimited: true },
  }),
  route({
    operationId: 'withdrawProposal',
    method: 'POST',
    path: '/proposals/{id}/withdraw',
    handler: 'withdraw-proposal.ts',
    summary: { id: 'Menutup kasus (draf) yang tidak berdasar', en: 'Withdraw an unfounded case (draft)' },
    params: s.ProposalIdParams,
    body: s.WithdrawBody,
    responses: { 200: { description: 'Withdrawn', schema: s.WithdrawResponse } },
    needs: { writesRecords: true },
  }),
  route({
    operationId: 'startImport',
    method: 'POST',
    path: '/imports',
    handler: 'start-import.ts',
    summary: { id: 'Impor massal: slot unggah berkas CSV/XLSX', en: 'Bulk import: upload slot for a CSV or XLSX file' },
    body: s.StartImportBody,
    responses: { 201: { description: 'Import created', schema: s.StartImportResponse } },
    needs: { writesRecords: true, signsUploads: 'imports' },
  }),
  route({
    operationId: 'importTemplate',
    method: 'GET',
    path: '/imports/template.csv',
    handler: 'import-template.ts',
    summary: { id: 'Templat kolom impor', en: 'The import column template' },
    responses: { 200: { description: 'CSV template', contentType: 'text/csv' } },
    needs: {},
  }),
  route({
    operationId: 'getImport',
    method: 'GET',
    path: '/imports/{id}',
    handler: 'get-import.ts',
    summary: { id: 'Kemajuan dan hasil impor', en: 'Import progress and report' },
    params: s.ImportIdParams,
    responses: { 200: { description: 'The import', schema: s.ImportViewSchema } },
    needs: {},
  }),
  route({
    operationId: 'reportSummary',
    method: 'GET',
    path: '/reports/summary',
    handler: 'report-summary.ts',
    summary: { id: 'Rekap per status dan tahap', en: 'Counts per status and stage' },
    query: s.ReportQuery,
    responses: { 200: { description: 'Summary', schema: s.ReportSummaryResponse } },
    needs: { needsRegions: true },
    memorySize: 1024,
    timeoutSeconds: 29,
  }),
  route({
    operationId: 'listExports',
    method: 'GET',
    path: '/exports',
    handler: 'list-exports.ts',
    summary: { id: 'Daftar ekspor cut-off bulanan, terbaru dahulu', en: 'Monthly cut-off exports, newest first' },
    responses: { 200: { description: 'Exports', schema: s.ExportListResponse } },
    needs: {},
  }),
  route({
    operationId: 'getExport',
    method: 'GET',
    path: '/exports/{id}',
    handler: 'get-export.ts',
    summary: { id: 'Manifes ekspor cut-off dan tautan unduhan', en: 'A cut-off export: manifest and download links' },
    params: s.ExportIdParams,
    responses: { 200: { description: 'The export', schema: s.ExportViewResponse } },
    needs: { readsExports: true },
  }),
  route({
    operationId: 'openApi',
    method: 'GET',
    path: '/openapi.json',
    handler: 'openapi.ts',
    summary: { id: 'Dokumen OpenAPI 3.1', en: 'The OpenAPI 3.1 document' },
    responses: { 200: { description: 'OpenAPI document', contentType: 'application/json' } },
    needs: {},
  }),
] as const satisfies readonly RouteSpec[];

export type Route = (typeof ROUTES)[number];

export function routeFor<O extends OperationId>(operationId: O): Extract<Route, { operationId: O }> {
  const found = ROUTES.find((entry) => entry.operationId === operationId);
  if (!found) throw new Error(`No route for ${operationId}`);
  return found as Extract<Route, { operationId: O }>;
}

/** Every error status a route can answer with, for the OpenAPI document. */
export const ERROR_STATUSES = [400, 401, 403, 404, 409, 413, 422, 429] as const;
