import { z } from 'zod';
import { AppealSchema } from './appeals.ts';
import { FlagSchema } from './flags.ts';
import { STAGES, STATUSES } from './lifecycle.ts';
import { ValidationIssueSchema, type IssueCode } from './messages.ts';
import { SEXES } from './nik.ts';
import { CriterionSchema, ProgramSchema } from './programs.ts';
import { TIERS } from './province-config.ts';
import { REGION_CODE_PATTERNS } from './regions.ts';

export { FlagSchema, type Flag } from './flags.ts';
export type { Program } from './programs.ts';

/*
 * The API's and storage's contract. Objects are strict: an unknown field is
 * an error, so a typo in a client never silently drops data. Format checks
 * carry a domain issue code (see messages.ts) rather than zod's generic one.
 */

/** A refinement whose failure is reported with `code` and `params`. */
function coded(code: IssueCode, params: Record<string, string | number> = {}) {
  return { params: { code, ...params } };
}

const matching = (pattern: RegExp, code: IssueCode, params?: Record<string, string | number>) =>
  z.string().refine((value) => pattern.test(value), coded(code, params));

const unique = <T extends z.ZodType>(item: T) =>
  z.array(item).superRefine((items, ctx) => {
    items.forEach((value, i) => {
      if (items.indexOf(value) !== i) ctx.addIssue({ code: 'custom', path: [i], ...coded('DUPLICATE_ITEM') });
    });
  });

export const RELATIONSHIPS = ['KEPALA_KELUARGA', 'SUAMI', 'ISTRI', 'ANAK', 'ORANG_TUA', 'LAINNYA'] as const;
export const DISABILITIES = ['NONE', 'FISIK', 'INTELEKTUAL', 'MENTAL', 'SENSORIK', 'GANDA'] as const;

export const NikSchema = matching(/^\d{16}$/, 'NIK_FORMAT');
export const KkSchema = matching(/^\d{16}$/, 'KK_FORMAT');
export const SexSchema = z.enum(SEXES);
export const BirthDateSchema = z.iso.date();
export const RelationshipSchema = z.enum(RELATIONSHIPS);
// Letters of any script (names are written as on the KTP), spaces and . ' -
const NAME = /^[\p{L}\p{M}][\p{L}\p{M} .'-]*$/u;

export const MemberSchema = z.strictObject({
  nik: NikSchema,
  fullName: z.string().trim().min(1).max(100).pipe(matching(NAME, 'NAME_FORMAT')),
  sex: SexSchema,
  birthDate: BirthDateSchema,
  relationship: RelationshipSchema,
  disability: z.enum(DISABILITIES).optional(),
  occupation: z.string().trim().max(100).optional(),
});

const rtRw = matching(/^\d{1,3}$/, 'INVALID_FORMAT', { example: '003' });

export const HouseholdSchema = z.strictObject({
  kk: KkSchema,
  address: z.string().trim().min(1).max(200),
  rt: rtRw,
  rw: rtRw,
  // Indonesia's extent, with a margin for its outer islands.
  location: z.strictObject({
    latitude: z.number().min(-11).max(6),
    longitude: z.number().min(95).max(141),
  }),
});

export const RegionCodesSchema = z.strictObject({
  provinceCode: matching(REGION_CODE_PATTERNS.province, 'INVALID_FORMAT', { example: '81' }),
  regencyCode: matching(REGION_CODE_PATTERNS.regency, 'INVALID_FORMAT', { example: '81.03' }),
  districtCode: matching(REGION_CODE_PATTERNS.district, 'INVALID_FORMAT', { example: '81.03.05' }),
  villageCode: matching(REGION_CODE_PATTERNS.village, 'INVALID_FORMAT', { example: '81.03.05.2001' }),
});

export const MAX_MEMBERS = 20;

export const ProposalInputSchema = RegionCodesSchema.extend({
  household: HouseholdSchema,
  members: z.array(MemberSchema).min(1).max(MAX_MEMBERS),
  programs: unique(ProgramSchema).min(1).max(4),
  criteria: unique(CriterionSchema).min(1),
});

// Crockford base32; a first character above 7 would overflow the 48-bit time.
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
export const ProposalIdSchema = matching(ULID, 'INVALID_FORMAT');

/*
 * What a proposal asks for. ADD puts a household (or members) on the register; REMOVE ends a registered household
 * or some of its members; UPDATE corrects a registered record. All three run through the same workflow.
 */
export const PROPOSAL_TYPES = ['ADD', 'REMOVE', 'UPDATE'] as const;
export type ProposalType = (typeof PROPOSAL_TYPES)[number];

export const REMOVAL_REASONS = ['DECEASED', 'MOVED', 'NO_LONGER_ELIGIBLE', 'DUPLICATE_RECORD', 'NOT_FOUND'] as const;
export type RemovalReason = (typeof REMOVAL_REASONS)[number];

const StatementSchema = z.string().trim().min(5).max(1000);

/** The registered record a REMOVE or UPDATE acts on: the id of the proposal that registered it (or last corrected it). */
export const TargetSchema = z.strictObject({ proposalId: ProposalIdSchema });

export const RemovalSchema = z.strictObject({
  reason: z.enum(REMOVAL_REASONS),
  /** NIKs of the members who leave; absent: the whole household leaves. */
  members: unique(NikSchema).min(1).max(MAX_MEMBERS).optional(),
  /** For DUPLICATE_RECORD: the registered record this one duplicates. */
  duplicateOf: ProposalIdSchema.optional(),
  statement: StatementSchema,
});

export const CorrectionSchema = z.strictObject({ statement: StatementSchema });

/** Who started the proposal when it was not a village operator: a citizen's objection against a registered household. */
export const OriginSchema = z.strictObject({
  kind: z.literal('OBJECTION'),
  /** The receipt code the reporter checks the case with. */
  receipt: z.string().min(1).max(40),
  category: z.string().min(1).max(60),
});

export const ProposalSchema = ProposalInputSchema.extend({
  id: ProposalIdSchema,
  /**
   * Stored records from before proposal types are ADD. For REMOVE, household, members, programs and criteria are
   * a copy of the target as registered; for UPDATE they are the corrected record and `previous` holds the target's.
   */
  type: z.enum(PROPOSAL_TYPES).default('ADD'),
  target: TargetSchema.optional(),
  removal: RemovalSchema.optional(),
  correction: CorrectionSchema.optional(),
  previous: ProposalInputSchema.pick({ household: true, members: true, programs: true, criteria: true }).optional(),
  origin: OriginSchema.optional(),
  version: z.number().int().min(1),
  status: z.enum(STATUSES),
  stage: z.enum(STAGES),
  tier: z.enum(TIERS).optional(),
  /** Operator id of whoever submitted this version. */
  submittedBy: z.string().min(1),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Why the proposal was returned, rejected or failed. */
  reasons: z.array(ValidationIssueSchema),
  flags: z.array(FlagSchema),
  /** Set while the public review runs. */
  review: z.strictObject({ endsAt: z.iso.datetime() }).optional(),
  /** Set once the rejected proposal is appealed (at most once). */
  appeal: AppealSchema.optional(),
});

export type ProposalInput = z.infer<typeof ProposalInputSchema>;
export type Proposal = z.infer<typeof ProposalSchema>;
export type Member = z.infer<typeof MemberSchema>;
export type Household = z.infer<typeof HouseholdSchema>;
export type Relationship = (typeof RELATIONSHIPS)[number];
export type { Sex } from './nik.ts';
export type Disability = (typeof DISABILITIES)[number];

const INPUT_KEYS = Object.keys(ProposalInputSchema.shape) as (keyof ProposalInput)[];

/** The submitted fields of a stored proposal, e.g. to validate it again. */
export function proposalInputOf(proposal: Proposal): ProposalInput {
  return Object.fromEntries(INPUT_KEYS.map((key) => [key, proposal[key]])) as ProposalInput;
}
