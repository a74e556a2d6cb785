import type { z } from 'zod';
import type { Flag } from './flags.ts';
import { validateKk } from './kk.ts';
import { issue, zodIssues, type ValidationIssue } from './messages.ts';
import { validateNik } from './nik.ts';
import {
  BirthDateSchema,
  KkSchema,
  NikSchema,
  ProposalInputSchema,
  RegionCodesSchema,
  RelationshipSchema,
  SexSchema,
  type ProposalInput,
} from './proposal.ts';
import { parentCodes, type RegionDirectory } from './regions.ts';

export type ProposalContext = {
  regions: RegionDirectory;
  /** The province this stack serves. */
  provinceCode: string;
  /** YYYY-MM-DD in the province's local time. */
  today: string;
};

export type ProposalValidation =
  | { ok: true; proposal: ProposalInput; flags: Flag[] }
  | { ok: false; issues: ValidationIssue[] };

/**
 * Validates a proposal and reports every problem at once, so a village
 * operator can fix the form in one pass. The cross-field rules also run on
 * whatever parts of an otherwise invalid input are well-formed.
 */
export function validateProposal(input: unknown, ctx: ProposalContext): ProposalValidation {
  const parsed = ProposalInputSchema.safeParse(input);
  const issues = parsed.success ? [] : zodIssues(parsed.error, input);
  const flags: Flag[] = [];

  issues.push(...regionIssues(input, ctx));
  const kk = wellFormed(KkSchema, property(property(input, 'household'), 'kk'));
  if (kk !== undefined) issues.push(...validateKk(kk, ctx.regions, 'household.kk'));
  const members = memberChecks(input, ctx);
  issues.push(...members.issues);
  flags.push(...members.flags);

  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  return { ok: true, proposal: parsed.data, flags };
}

function property(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

function wellFormed<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

function regionIssues(input: unknown, ctx: ProposalContext): ValidationIssue[] {
  const code = (key: keyof typeof RegionCodesSchema.shape) =>
    wellFormed(RegionCodesSchema.shape[key], property(input, key));
  const villageCode = code('villageCode');
  if (villageCode === undefined) return [];
  const parents = parentCodes(villageCode);
  const issues: ValidationIssue[] = [];
  if (parents.province !== ctx.provinceCode) {
    const province = ctx.regions.provinceName(ctx.provinceCode) ?? ctx.provinceCode;
    issues.push(issue('villageCode', 'VILLAGE_OUTSIDE_PROVINCE', { province }));
  } else if (!ctx.regions.isVillage(villageCode)) {
    issues.push(issue('villageCode', 'VILLAGE_UNKNOWN'));
  }
  const expected = { provinceCode: parents.province, regencyCode: parents.regency, districtCode: parents.district };
  for (const [key, parent] of Object.entries(expected) as [keyof typeof expected, string][]) {
    const declared = code(key);
    if (declared !== undefined && declared !== parent) issues.push(issue(key, 'REGION_MISMATCH', { expected: parent }));
  }
  return issues;
}

function memberChecks(input: unknown, ctx: ProposalContext): { issues: ValidationIssue[]; flags: Flag[] } {
  const list = property(input, 'members');
  const members = Array.isArray(list) ? (list as unknown[]) : [];
  const issues: ValidationIssue[] = [];
  const flags: Flag[] = [];
  const firstIndexOfNik = new Map<string, number>();
  const relationships = [];

  for (const [i, member] of members.entries()) {
    const nik = wellFormed(NikSchema, property(member, 'nik'));
    const sex = wellFormed(SexSchema, property(member, 'sex'));
    const birthDate = wellFormed(BirthDateSchema, property(member, 'birthDate'));
    relationships.push(wellFormed(RelationshipSchema, property(member, 'relationship')));

    if (birthDate !== undefined && birthDate > ctx.today) {
      issues.push(issue(`members.${i}.birthDate`, 'BIRTH_DATE_IN_FUTURE'));
    }
    if (nik === undefined) continue;
    const nikPath = `members.${i}.nik`;
    const first = firstIndexOfNik.get(nik);
    if (first === undefined) firstIndexOfNik.set(nik, i);
    else issues.push(issue(nikPath, 'NIK_REPEATED_IN_HOUSEHOLD', { first: first + 1 }));
    if (sex !== undefined && birthDate !== undefined) {
      const result = validateNik(nik, { sex, birthDate }, ctx.regions, nikPath);
      issues.push(...result.issues);
      flags.push(...result.flags);
    }
  }

  // Counting heads is only meaningful once every relationship is readable.
  if (members.length > 0 && relationships.every((r) => r !== undefined)) {
    const count = relationships.filter((r) => r === 'KEPALA_KELUARGA').length;
    if (count !== 1) issues.push(issue('members', 'HEAD_OF_HOUSEHOLD_COUNT', { count }));
  }
  return { issues, flags };
}
