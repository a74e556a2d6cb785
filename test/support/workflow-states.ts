import { TIERS, type Tier } from '../../domain/province-config.ts';

/** The state names of each approval tier, as the workflow construct names them. */
export const TIER_STATES: Record<Tier, string> = {
  village: 'Approval by village head',
  district: 'Approval by district',
  regency: 'Approval by social office',
  regent: 'Endorsement by regent',
};

/** The states a proposal enters on its way to registration, without objections, through every tier. */
export const REGISTERED_PATH_STATES = [
  'Validate submission',
  'Check duplicates',
  'Check evidence',
  'Open public review',
  'Public review period',
  'Close public review',
  'Any objections?',
  ...TIERS.map((tier) => TIER_STATES[tier]),
  'Finalize',
  'Publish outcome',
  'Decided',
];
