import { z } from 'zod';
import { CUTOFF_ID } from '../../domain/cutoff.ts';
import { DECISIONS, DecisionSchema, TASK_KINDS } from '../../domain/decisions.ts';
import { AppealInputSchema, AppealSchema } from '../../domain/appeals.ts';
import { FlagSchema } from '../../domain/flags.ts';
import { FREEZE_STATES, FreezeInputSchema } from '../../domain/freezes.ts';
import { STAGES, STATUSES } from '../../domain/lifecycle.ts';
import { PROPOSAL_TYPES, ProposalInputSchema, RELATIONSHIPS, REMOVAL_REASONS, SexSchema, DISABILITIES } from '../../domain/proposal.ts';
import { END_REASONS, RemoveRequestSchema, UpdateRequestSchema } from '../../domain/proposal-types.ts';
import { DOCUMENT_KINDS, TIERS } from '../../domain/province-config.ts';
import { REGION_CODE_PATTERNS } from '../../domain/regions.ts';
import {
  OBJECTION_GROUPS,
  RECEIPT_PATTERN,
  REGISTRY_OBJECTION_CODES,
  REPORTER_STATUSES,
} from '../../domain/registry-objections.ts';

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

/** `type` absent is an ADD, as before proposal types; REMOVE and UPDATE name the registered record they act on. */
export const CreateProposalBody = z.discriminatedUnion('type', [
  ProposalInputSchema.extend({ type: z.literal('ADD').optional() }),
  RemoveRequestSchema,
  UpdateRequestSchema,
]);
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

/** Without `evidence`, one PDF slot of appeal-evidence; each entry asks for one slot of its content type. */
export const AppealBody = AppealInputSchema;
export const AppealResponse = z.object({
  executionArn: z.string(),
  /** The tier hearing the appeal. */
  tier: z.enum(TIERS),
  uploads: z.array(UploadSlotSchema),
});

/** The version being changed: a change of an older version than the stored one is a conflict. */
/**
 * The version being revised, and for a DRAFT optionally its `updatedAt` as the client last read it: the edit then
 * applies only if nobody saved the draft since (409 VERSION_CONFLICT), so two operators cannot overwrite each other.
 */
const revisionGuard = { version: z.number().int().min(1), updatedAt: z.iso.datetime().optional() };
/**
 * The body of the proposal's own type, as created minus what never changes. `type` absent or ADD: the whole record
 * (also how a RETURNED UPDATE is revised, keeping its statement). UPDATE: the corrected record and the statement
 * (the region is the target's). REMOVE: the removal (reason, members, duplicateOf, statement); its record stays a
 * copy of the target.
 */
export const ReviseProposalBody = z.discriminatedUnion('type', [
  ProposalInputSchema.extend({ type: z.literal('ADD').optional(), ...revisionGuard }),
  UpdateRequestSchema.omit({ provinceCode: true, regencyCode: true, districtCode: true, villageCode: true, target: true }).extend(revisionGuard),
  RemoveRequestSchema.pick({ type: true, removal: true }).extend(revisionGuard),
]);

const MaskedMemberSchema = z.object({
  nikMasked: z.string(),
  fullName: z.string(),
  sex: SexSchema,
  birthDate: z.string(),
  relationship: z.enum(RELATIONSHIPS),
  disability: z.enum(DISABILITIES).optional(),
  occupation: z.string().optional(),
});

/** One side of a suspected duplicate, masked as every proposal view is. */
const DuplicateSideSchema = z.object({
  proposalId: z.string(),
  status: z.enum(STATUSES),
  villageCode: z.string(),
  household: z.object({ kkMasked: z.string(), address: z.string(), rt: z.string(), rw: z.string() }),
  members: z.array(MaskedMemberSchema),
  programs: z.array(z.string()),
});

/**
 * A duplicate task's two records side by side: the proposal, and each record holding one of its numbers with the
 * numbers they share (by path on each side, never the number).
 */
export const DuplicateComparisonSchema = z.object({
  proposal: DuplicateSideSchema,
  counterparts: z.array(
    DuplicateSideSchema.extend({
      registered: z.boolean(),
      matches: z.array(z.object({ path: z.string(), counterpartPath: z.string().nullable() })),
    }),
  ),
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
  /** Duplicate tasks, for whoever may decide them (domain/access.ts maySeeDuplicateCounterpart). */
  duplicate: DuplicateComparisonSchema.optional(),
});

export const DecisionResponse = z.object({
  taskId: z.string(),
  decision: z.enum(DECISIONS),
  reason: z.string().optional(),
  decidedBy: z.string(),
  decidedAt: z.iso.datetime(),
});

/** Why a task waits: the freeze over its region, as the administrator worded it, and when it ends. */
export const FrozenSchema = z.object({ reason: z.string(), endsAt: z.iso.datetime() });

/**
 * A task as an inbox or its proposal shows it; `held` once decided during a freeze (the decision waits to be
 * sent), `frozen` while its region is.
 */
export const InboxTaskSchema = TaskSummarySchema.extend({
  held: DecisionResponse.omit({ taskId: true }).optional(),
  frozen: FrozenSchema.optional(),
});

const EndSchema = z.object({ endedAt: z.iso.datetime(), endReason: z.enum(END_REASONS), endedBy: z.string() });

/** What a REMOVE or UPDATE acts on and, for the record itself, whether and how its registration ended. */
const ProposalTypeViewFields = {
  type: z.enum(PROPOSAL_TYPES),
  target: z.object({ proposalId: z.string() }).optional(),
  removal: z
    .object({
      reason: z.enum(REMOVAL_REASONS),
      membersMasked: z.array(z.string()).optional(),
      duplicateOf: z.string().optional(),
      statement: z.string(),
    })
    .optional(),
  correction: z.object({ statement: z.string() }).optional(),
  /** For an UPDATE: every changed field, the registered value beside the corrected one (NIK and KK masked). */
  changes: z.array(z.object({ path: z.string(), old: z.string().nullable(), new: z.string().nullable() })).optional(),
  registeredAt: z.iso.datetime().optional(),
  /** When an approved proposal of any type completed (a removal ends its target then). */
  completedAt: z.iso.datetime().optional(),
  registration: EndSchema.optional(),
  endedMembers: z.array(EndSchema.extend({ nikMasked: z.string() })).optional(),
  supersededBy: z.string().optional(),
};

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
  ...ProposalTypeViewFields,
  /** Set once the proposal was appealed: the village's statement, the tier hearing it and the rejection it contests. */
  appeal: AppealSchema.omit({ filedBy: true }).optional(),
  /** The task it waits on, also while a decision on it is held by a freeze. */
  pendingTask: InboxTaskSchema.nullable(),
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
  /** Set when a citizen's objection opened this case: the console shows "from an objection" and its receipt. */
  origin: z.object({ kind: z.literal('OBJECTION'), receipt: z.string(), category: z.string() }).optional(),
});
export const ListProposalsResponse = z.object({ items: z.array(ProposalSummarySchema), cursor: z.string().optional() });

export const ListTasksQuery = z.strictObject({ cursor: cursor.optional(), limit });

export const DecisionBody = DecisionSchema;
/** A decision taken during a freeze: recorded, sent to the workflow when the freeze ends. */
export const DecisionHeldResponse = DecisionResponse.extend({ status: z.literal('HELD'), frozen: FrozenSchema });

export const ListTasksResponse = z.object({ items: z.array(InboxTaskSchema), cursor: z.string().optional() });

export const MAX_BATCH_DECISIONS = 200;
/** Reason rules and whether the decision fits the task are checked per item (outcome INVALID), not for the batch. */
export const BatchDecisionBody = z.strictObject({
  decisions: z
    .array(z.strictObject({ taskId: TaskIdParams.shape.taskId, ...DecisionSchema.shape }))
    .min(1)
    .max(MAX_BATCH_DECISIONS)
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.taskId)) ctx.addIssue({ code: 'custom', path: [index, 'taskId'], params: { code: 'DUPLICATE_ITEM' } });
        seen.add(item.taskId);
      });
    }),
});
export const BATCH_OUTCOMES = ['DECIDED', 'HELD', 'ALREADY_DECIDED', 'NOT_FOUND', 'FORBIDDEN', 'INVALID', 'FAILED'] as const;
export const BatchDecisionResponse = z.object({
  /** One per requested decision, in the request's order. */
  items: z.array(
    z.object({
      taskId: z.string(),
      outcome: z.enum(BATCH_OUTCOMES),
      /** The decision recorded by this request (DECIDED, HELD), or the one that stands (ALREADY_DECIDED). */
      decision: DecisionResponse.omit({ taskId: true }).optional(),
      frozen: FrozenSchema.optional(),
      error: z
        .object({
          code: z.string(),
          message: z.string(),
          details: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })),
        })
        .optional(),
    }),
  ),
});

export const FreezeIdParams = z.strictObject({ id: ulid });
export const DeclareFreezeBody = FreezeInputSchema;
export const FreezeViewSchema = z.object({
  freezeId: z.string(),
  regionCode: z.string(),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  reason: z.string(),
  declaredBy: z.string(),
  declaredAt: z.iso.datetime(),
  state: z.enum(FREEZE_STATES),
  endedEarly: z.object({ at: z.iso.datetime(), by: z.string(), plannedEndsAt: z.iso.datetime() }).optional(),
});
export const ListFreezesQuery = z.strictObject({ state: z.enum(FREEZE_STATES).optional() });
export const ListFreezesResponse = z.object({ items: z.array(FreezeViewSchema) });
export const EndFreezeResponse = FreezeViewSchema.extend({
  /** Held decisions sent to the workflow by this request; any left are sent by the scheduled release. */
  released: z.number().int(),
  stillHeld: z.number().int(),
});

/** Exactly what a public board shows of a household (public-household.ts): nothing personal beyond these. */
const PublicHouseholdSchema = z.strictObject({
  proposalId: z.string(),
  householdHead: z.string(),
  nikMasked: z.string(),
  rt: z.string(),
  rw: z.string(),
  programs: z.array(z.string()),
});
/**
 * What a listing proposes, so neighbours know what they may object to: an addition, a removal with its reason (and
 * how many members leave, when not the whole household), or a correction of the record.
 */
const ProposedChangeSchema = z.strictObject({
  type: z.enum(PROPOSAL_TYPES),
  reason: z.enum(REMOVAL_REASONS).optional(),
  membersLeaving: z.number().int().min(1).optional(),
});
/** A proposal under review, on the public board. */
export const PublicReviewItemSchema = PublicHouseholdSchema.extend({ proposes: ProposedChangeSchema, reviewEndsAt: z.iso.datetime() });
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

/** A registered household on the public board, and whether a case about it is open. */
export const RegistryItemSchema = PublicHouseholdSchema.extend({
  registeredAt: z.iso.datetime(),
  /** An objection or the village's own removal or correction is already being handled. */
  caseOpen: z.boolean(),
});
export const RegistryResponse = z.object({ villageCode: z.string(), items: z.array(RegistryItemSchema) });

/** An objection against a registered household: the review objection's fields, with its own categories. */
export const RegistryObjectionBody = ObjectionBody.extend({ category: z.enum(REGISTRY_OBJECTION_CODES) });
export const RegistryObjectionResponse = z.object({ receipt: z.string() });

export const ReceiptParams = z.strictObject({
  receipt: z.string().refine((code) => RECEIPT_PATTERN.test(code), { params: { code: 'INVALID_FORMAT', example: 'SGH-7K2M9QXR' } }),
});
/** What a reporter sees under their receipt: progress and dates, nothing personal. */
export const ObjectionStatusResponse = z.strictObject({
  receipt: z.string(),
  category: z.enum(REGISTRY_OBJECTION_CODES),
  group: z.enum(OBJECTION_GROUPS),
  status: z.enum(REPORTER_STATUSES),
  receivedAt: z.iso.datetime(),
  inProcessAt: z.iso.datetime().optional(),
  decidedAt: z.iso.datetime().optional(),
});

export const WithdrawBody = z.strictObject({ reason: z.string().trim().min(10).max(1000) });
export const WithdrawResponse = z.object({ proposalId: z.string(), version: z.number().int(), status: z.literal('REJECTED') });

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

/** A cut-off export is named by its month: `2025-03`. */
export const ExportIdParams = z.strictObject({ id: z.string().regex(CUTOFF_ID) });
const ExportManifestSchema = z.object({
  provinceCode: z.string(),
  cutoff: z.string(),
  window: z.object({ from: z.string(), to: z.string() }),
  files: z.array(z.object({ name: z.string(), rows: z.number().int(), bytes: z.number().int(), sha256: z.string() })),
  counts: z.record(z.string(), z.number().int()),
  generatedAt: z.string(),
});
const ExportSummarySchema = z.object({
  id: z.string(),
  cutoff: z.string(),
  window: z.object({ from: z.string(), to: z.string() }),
  counts: z.record(z.string(), z.number().int()),
  manifestSha256: z.string(),
  generatedAt: z.string(),
});
export const ExportListResponse = z.object({ exports: z.array(ExportSummarySchema) });
/** Links are presigned GETs valid for a few minutes; the files hold full NIK/KK, the links never do. */
export const ExportViewResponse = ExportSummarySchema.extend({
  manifest: ExportManifestSchema,
  links: z.array(z.object({ name: z.string(), url: z.string(), expiresAt: z.string() })),
});
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
