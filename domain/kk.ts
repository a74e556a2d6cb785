import { issue, type ValidationIssue } from './messages.ts';
import { isSixteenDigits } from './nik.ts';
import { districtCodeFromDigits, type RegionDirectory } from './regions.ts';

/**
 * A KK (family card) number: 16 digits starting with the district code where
 * it was issued. Unlike a NIK, the rest carries no checkable date of birth.
 * An old (re-coded) district is accepted: family cards are not reissued when
 * a region splits.
 */
export function validateKk(kk: string, regions: RegionDirectory, path: string): ValidationIssue[] {
  if (!isSixteenDigits(kk)) return [issue(path, 'KK_FORMAT')];
  if (regions.classifyDistrict(districtCodeFromDigits(kk)).kind === 'unknown') {
    return [issue(path, 'KK_DISTRICT_UNKNOWN')];
  }
  return [];
}
