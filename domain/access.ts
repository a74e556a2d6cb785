import { z } from 'zod';
import { REGION_CODE_PATTERNS } from './regions.ts';
import { TIERS, type Tier } from './province-config.ts';

/*
 * Who may do what. Every route names one rule here, and the API applies it in one place
 * (functions/api/http.ts for roles, `mayAccess` for the record a request touches).
 */

export const ROLES = ['village_operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The level of the region an approver of each tier serves (the inbox is keyed by it). */
const TIER_REGION_LEVEL: Readonly<Record<Tier, keyof typeof REGION_CODE_PATTERNS>> = {
  village: 'village',
  district: 'district',
  regency: 'regency',
  regent: 'regency',
};

const anyRegion = z
  .string()
  .refine((code) => Object.values(REGION_CODE_PATTERNS).some((pattern) => pattern.test(code)));

/** The identity claims the JWT authorizer passes on; anything inconsistent is refused rather than guessed. */
export const CallerSchema = z
  .object({
    sub: z.string().min(1).max(200),
    role: z.enum(ROLES),
    tier: z.enum(TIERS).optional(),
    region: anyRegion,
    name: z.string().max(200).optional(),
  })
  .superRefine((caller, ctx) => {
    const fail = (path: string) => ctx.addIssue({ code: 'custom', path: [path] });
    if (caller.role === 'village_operator' && !REGION_CODE_PATTERNS.village.test(caller.region)) fail('region');
    if (caller.role === 'approver') {
      if (!caller.tier) fail('tier');
      else if (!REGION_CODE_PATTERNS[TIER_REGION_LEVEL[caller.tier]].test(caller.region)) fail('region');
    }
    if (caller.role !== 'approver' && caller.tier !== undefined) fail('tier');
  });
export type Caller = z.infer<typeof CallerSchema>;

/** A code is inside a region when it is the region or starts with the region's code and a dot. */
export function isInside(region: string, code: string): boolean {
  return code === region || code.startsWith(`${region}.`);
}

/**
 * `public`: anyone, no token (rate-limited). `region`: the record's village (or the region asked about)
 * must be inside the caller's region; an operator's region is their village, so operators reach only
 * their own village. `tier`: an approver's own tier, inside their region. `caller`: only what the
 * caller's own identity selects (their inbox, the template). `village`: the caller serves exactly the record's
 * village (its operators and its village-tier approver, the kepala desa/lurah), no tier above.
 */
export type AccessRule =
  | { audience: 'public' }
  | { audience: readonly Role[]; scope: 'region' | 'tier' | 'caller' | 'village' };

/** The record a request touches, as far as access is concerned. */
export type AccessTarget = { regionCode: string; tier?: Tier };

export function hasRole(caller: Caller | undefined, rule: AccessRule): boolean {
  if (rule.audience === 'public') return true;
  return caller !== undefined && rule.audience.includes(caller.role);
}

export function mayAccess(caller: Caller, rule: AccessRule, target: AccessTarget): boolean {
  if (rule.audience === 'public') return true;
  if (!hasRole(caller, rule)) return false;
  const inside = isInside(caller.region, target.regionCode);
  switch (rule.scope) {
    case 'region':
      return inside;
    case 'tier':
      return inside && target.tier === caller.tier;
    case 'caller':
      return true;
    case 'village':
      return caller.region === target.regionCode;
  }
}

const operator = ['village_operator'] as const;
const everyone = ['village_operator', 'approver', 'admin'] as const;

/** The access rule of every API operation. */
export const ACCESS = {
  createProposal: { audience: operator, scope: 'region' },
  requestUploads: { audience: operator, scope: 'region' },
  submitProposal: { audience: operator, scope: 'region' },
  reviseProposal: { audience: operator, scope: 'region' },
  appealProposal: { audience: operator, scope: 'region' },
  getProposal: { audience: everyone, scope: 'region' },
  listProposals: { audience: everyone, scope: 'region' },
  listTasks: { audience: ['approver'], scope: 'caller' },
  decideTask: { audience: ['approver'], scope: 'tier' },
  /** Each task of the batch is checked as decideTask checks it; the route itself only admits approvers. */
  decideTasks: { audience: ['approver'], scope: 'tier' },
  declareFreeze: { audience: ['admin'], scope: 'region' },
  /** Freezes of, above and inside the administrator's region (domain/freezes.ts `concerns`). */
  listFreezes: { audience: ['admin'], scope: 'caller' },
  endFreeze: { audience: ['admin'], scope: 'region' },
  listPublicReview: { audience: 'public' },
  fileObjection: { audience: 'public' },
  listRegistry: { audience: 'public' },
  objectToRegistered: { audience: 'public' },
  getObjectionStatus: { audience: 'public' },
  withdrawProposal: { audience: ['village_operator', 'approver'], scope: 'village' },
  startImport: { audience: operator, scope: 'region' },
  getImport: { audience: operator, scope: 'region' },
  importTemplate: { audience: everyone, scope: 'caller' },
  reportSummary: { audience: ['approver', 'admin'], scope: 'region' },
  // The province-wide cut-off exports hold full NIK/KK for the national submission: provincial admins only.
  listExports: { audience: ['admin'], scope: 'region' },
  getExport: { audience: ['admin'], scope: 'region' },
  openApi: { audience: 'public' },
} as const satisfies Record<string, AccessRule>;

export type OperationId = keyof typeof ACCESS;

/**
 * The other record of a suspected duplicate is shown (masked, side by side) to whoever may decide the duplicate
 * task, even when it lies outside their region: the decision cannot be made without seeing it. Nobody else sees it
 * through the task, not even the proposal's own village.
 */
export function maySeeDuplicateCounterpart(caller: Caller, task: AccessTarget): boolean {
  return mayAccess(caller, ACCESS.decideTask, task);
}
