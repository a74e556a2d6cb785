import { z } from 'zod';
import { DECISIONS, DecisionSchema, TASK_KINDS } from '../../domain/decisions.ts';
import { FlagSchema } from '../../domain/flags.ts';
import { STAGES, STATUSES } from '../../domain/lifecycle.ts';
import { ProposalInputSchema, RELATIONSHIPS, SexSchema, DISABILITIES } from '../../domain/proposal.ts';
import { DOCUMENT_KINDS, TIERS } from '../../domain/province-config.ts';
import { REGION_CODE_PATTERNS } from '../../domain/regions.ts';

/*
 * Request and response shapes of the HTTP API. Requests are strict (an unknown field is a 400, so a client's
 * typo never silently drops data); the OpenAPI document is generated from these same schemas.
 */

const regionCode = z
  .string()
  .refine((code) => Object.values(REGION_CODE_PATTERNS).some((pattern) => pattern.test(code)), {
    params: { code: 'INVALID_FORMAT', example: '81.03' },
  });
const villageCode = z.string().refine((code) => REGION_CODE_PATTERNS.village.test(code), {
  params: { code: 'INVALID_FORMAT', example: '81.03.05.2001' },
});
const ulid = z.string().regex(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
const cursor = z.string().min(1).max(2000);
const limit = z.coerce.number().int().min(1).max(100).default(50);

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })),
  }),
});

export const ProposalIdParams = z.strictObject({ id: ulid });
export const TaskIdParams = z.strictObject({ taskId: z.string().min(1).max(100) });
export const VillageParams = z.strictObject({ villageCode });
export const ObjectionParams = z.strictObject({ proposalId: ulid });
export const ImportIdParams = z.strictObject({ id: ulid });

/** A presigned POST: send `fields` and then the file as multipart form data to `url` before `expiresAt`. */
export const UploadSlotSchema = z.object({
  kind: z.string(),
  url: z.string(),
  fields: z.record(z.string(), z.string()),
  expiresAt: z.iso.datetime(),
  maxBytes: z.number().int(),
  contentTypes: z.array(z.string()),
});

export const CreateProposalBody = ProposalInputSchema;
export const CreateProposalResponse = z.object({
  proposalId: z.string(),
  version: z.number().int(),
  status: z.literal('DRAFT'),
  uploads: z.array(UploadSlotSchema),
});

export const RequestUploadsBody = z.strictObject({
  /** Default: one slot per document the proposal's programs require, in each document's first content type. */
  documents: z
    .array(z.strictObject({ kind: z.enum(DOCUMENT_KINDS), contentType: z.string().max(100).optional() }))
    .min(1)
    .max(20)
    .optional(),
});
export const RequestUploadsResponse = z.object({ uploads: z.array(UploadSlotSchema) });

export const SubmitResponse = z.object({ executionArn: z.string() });

export const ReviseProposalBody = ProposalInputSchema.extend({
  /** The version being revised: a revision of an older version than the stored one is a conflict. */
  version: z.number().int().min(1),
});

const MaskedMemberSchema = z.object({
  nikMasked: z.string(),
  fullName: z.string(),
  sex: SexSchema,
  birthDate: z.string(),
  relationship: z.enum(RELATIONSHIPS),
  disability: z.enum(DISABILITIES).optional(),
  occupation: z.string().optional(),
});

export const TaskSummarySchema = z.object({
  taskId: z.string(),
  proposalId: z.string(),
  tier: z.enum(TIERS),
  kind: z.enum(TASK_KINDS),
  dueAt: z.iso.datetime(),
  overdue: z.boolean(),
  villageCode: z.string(),
  escalations: z.number().int(),
});

export const ProposalViewSchema = z.object({
  proposalId: z.string(),
  version: z.number().int(),
  status: z.enum(STATUSES),
  stage: z.enum(STAGES),
  tier: z.enum(TIERS).optional(),
  provinceCode: z.string(),
  regencyCode: z.string(),
  districtCode: z.string(),
  villageCode: z.string(),
  household: z.object({
    kkMasked: z.string(),
    address: z.string(),
    rt: z.string(),
    rw: z.string(),
    location: z.object({ latitude: z.number(), longitude: z.number() }),
  }),
  members: z.array(MaskedMemberSchema),
  programs: z.array(z.string()),
  criteria: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  review: z.object({ endsAt: z.iso.datetime() }).optional(),
  flags: z.array(FlagSchema),
  reasons: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })),
  pendingTask: TaskSummarySchema.nullable(),
  documents: z.array(
    z.object({ kind: z.string(), key: z.string(), size: z.number().int(), url: z.string(), expiresAt: z.iso.datetime() }),
  ),
  /** In full for approvers and administrators; operators see only category and date (reporters stay safe). */
  objections: z.array(
    z.object({
      objectionId: z.string(),
      category: z.string(),
      filedAt: z.iso.datetime(),
      statement: z.string().optional(),
      reporterName: z.string().optional(),
      reporterContact: z.string().optional(),
    }),
  ),
  history: z.array(
    z.object({
      at: z.iso.datetime(),
      version: z.number().int(),
      actor: z.object({ type: z.enum(['user', 'system']), id: z.string() }),
      action: z.string(),
      from: z.object({ status: z.string(), stage: z.string() }).optional(),
      to: z.object({ status: z.string(), stage: z.string() }).optional(),
      detail: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
});

export const ListProposalsQuery = z.strictObject({
  village: villageCode.optional(),
  region: regionCode.optional(),
  status: z.enum(STATUSES).optional(),
  cursor: cursor.optional(),
  limit,
});
export const ProposalSummarySchema = z.object({
  proposalId: z.string(),
  version: z.number().int(),
  status: z.enum(STATUSES),
  stage: z.enum(STAGES),
  villageCode: z.string(),
  householdHead: z.string(),
  memberCount: z.number().int(),
  programs: z.array(z.string()),
  updatedAt: z.iso.datetime(),
});
export const ListProposalsResponse = z.object({ items: z.array(ProposalSummarySchema), cursor: z.string().optional() });

export const ListTasksQuery = z.strictObject({ cursor: cursor.optional(), limit });
export const ListTasksResponse = z.object({ items: z.array(TaskSummarySchema), cursor: z.string().optional() });

export const DecisionBody = DecisionSchema;
export const DecisionResponse = z.object({
  taskId: z.string(),
  decision: z.enum(DECISIONS),
  reason: z.string().optional(),
  decidedBy: z.string(),
  decidedAt: z.iso.datetime(),
});

/** Exactly what the public sees of a proposal under review: nothing personal beyond these. */
export const PublicReviewItemSchema = z.strictObject({
  proposalId: z.string(),
  householdHead: z.string(),
  nikMasked: z.string(),
  rt: z.string(),
  rw: z.string(),
  programs: z.array(z.string()),
  reviewEndsAt: z.iso.datetime(),
});
export const PublicReviewResponse = z.object({ villageCode: z.string(), items: z.array(PublicReviewItemSchema) });

export const OBJECTION_CATEGORIES = [
  'INCLUSION_ERROR',
  'NOT_RESIDENT',
  'DECEASED',
  'DUPLICATE',
  'WRONG_DATA',
  'OTHER',
] as const;
export const ObjectionBody = z.strictObject({
  category: z.enum(OBJECTION_CATEGORIES),
  statement: z.string().trim().min(10).max(2000),
  reporterName: z.string().trim().min(1).max(100),
  reporterContact: z.string().trim().min(5).max(100),
});
export const ObjectionResponse = z.object({ objectionId: z.string() });

export const IMPORT_FORMATS = ['csv', 'xlsx'] as const;
export const StartImportBody = z.strictObject({ format: z.enum(IMPORT_FORMATS) });
export const StartImportResponse = z.object({ importId: z.string(), upload: UploadSlotSchema });

const ImportIssueSchema = z.object({ row: z.number().int(), column: z.string(), code: z.string(), message: z.string() });
export const ImportViewSchema = z.object({
  importId: z.string(),
  status: z.enum(['WAITING_FOR_UPLOAD', 'RUNNING', 'DONE', 'FAILED']),
  format: z.enum(IMPORT_FORMATS),
  createdAt: z.iso.datetime(),
  totalRows: z.number().int().optional(),
  processedRows: z.number().int(),
  acceptedRows: z.number().int(),
  rejectedRows: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  accepted: z.array(z.object({ householdRef: z.string(), rows: z.array(z.number().int()), proposalId: z.string() })),
  rejected: z.array(z.object({ householdRef: z.string(), rows: z.array(z.number().int()), issues: z.array(ImportIssueSchema) })),
});

export const ReportQuery = z.strictObject({ region: regionCode.optional() });
const Counts = z.object({
  byStatus: z.record(z.string(), z.number().int()),
  byStage: z.record(z.string(), z.number().int()),
});
export const ReportSummaryResponse = z.object({
  region: z.string(),
  generatedAt: z.iso.datetime(),
  totals: Counts,
  regencies: z.array(
    Counts.extend({
      code: z.string(),
      name: z.string(),
      districts: z.array(Counts.extend({ code: z.string() })),
    }),
  ),
  overdueTasks: z.number().int(),
  medianDaysPerStage: z.record(z.string(), z.number()),
});
