import { describe, expect, it } from 'vitest';
import { ACCESS, CallerSchema, isInside, mayAccess } from '../../domain/access.ts';

describe('isInside', () => {
  it('counts the region itself and every code below it, and nothing that merely shares digits', () => {
    expect(isInside('81.71', '81.71')).toBe(true);
    expect(isInside('81.71', '81.71.01.1006')).toBe(true);
    expect(isInside('81', '81.71.01')).toBe(true);
    expect(isInside('81.71.01.1006', '81.71.01.1007')).toBe(false);
    expect(isInside('81.7', '81.71')).toBe(false);
    expect(isInside('81.71.01', '81.71')).toBe(false);
  });
});

describe('CallerSchema', () => {
  it('accepts each role at the level of region it serves', () => {
    expect(CallerSchema.safeParse({ sub: 'a', role: 'village_operator', region: '81.71.01.1006' }).success).toBe(true);
    expect(CallerSchema.safeParse({ sub: 'a', role: 'approver', tier: 'district', region: '81.71.01' }).success).toBe(true);
    expect(CallerSchema.safeParse({ sub: 'a', role: 'approver', tier: 'regent', region: '81.71' }).success).toBe(true);
    expect(CallerSchema.safeParse({ sub: 'a', role: 'admin', region: '81' }).success).toBe(true);
  });

  it('refuses claims that do not fit together', () => {
    const refused = [
      { sub: 'a', role: 'village_operator', region: '81.71' },
      { sub: 'a', role: 'approver', region: '81.71' },
      { sub: 'a', role: 'approver', tier: 'district', region: '81.71' },
      { sub: 'a', role: 'approver', tier: 'village', region: '81.71.01' },
      { sub: 'a', role: 'admin', tier: 'regency', region: '81' },
      { sub: 'a', role: 'superuser', region: '81' },
      { sub: 'a', role: 'admin', region: '8' },
      { sub: '', role: 'admin', region: '81' },
    ];
    for (const claims of refused) expect(CallerSchema.safeParse(claims).success, JSON.stringify(claims)).toBe(false);
  });
});

describe('mayAccess', () => {
  const districtApprover = CallerSchema.parse({ sub: 'a', role: 'approver', tier: 'district', region: '81.71.01' });

  it('lets an approver decide only tasks of their own tier inside their region', () => {
    expect(mayAccess(districtApprover, ACCESS.decideTask, { regionCode: '81.71.01', tier: 'district' })).toBe(true);
    expect(mayAccess(districtApprover, ACCESS.decideTask, { regionCode: '81.71.01', tier: 'village' })).toBe(false);
    expect(mayAccess(districtApprover, ACCESS.decideTask, { regionCode: '81.71.02', tier: 'district' })).toBe(false);
  });

  it('keeps operators to their own village and out of approver work', () => {
    const operator = CallerSchema.parse({ sub: 'o', role: 'village_operator', region: '81.71.01.1006' });
    expect(mayAccess(operator, ACCESS.getProposal, { regionCode: '81.71.01.1006' })).toBe(true);
    expect(mayAccess(operator, ACCESS.getProposal, { regionCode: '81.71.01.1007' })).toBe(false);
    expect(mayAccess(operator, ACCESS.decideTask, { regionCode: '81.71.01.1006', tier: 'village' })).toBe(false);
  });
});
