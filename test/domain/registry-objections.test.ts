import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REGISTRY_OBJECTION_LABELS } from '../../domain/messages.ts';
import { REMOVAL_REASONS } from '../../domain/proposal.ts';
import {
  OBJECTION_GROUPS,
  RECEIPT_PATTERN,
  REGISTRY_OBJECTION_CODES,
  caseFor,
  groupOf,
  newReceipt,
  normalizeReceipt,
  reporterView,
} from '../../domain/registry-objections.ts';

describe('objection categories against a registered household', () => {
  it('puts every category in one of the three groups, each group used', () => {
    const groups = REGISTRY_OBJECTION_CODES.map(groupOf);
    expect(new Set(groups)).toEqual(new Set(OBJECTION_GROUPS));
  });

  it('opens a REMOVE with the matching reason for an inclusion error, and an UPDATE for exclusion and data errors', () => {
    for (const code of REGISTRY_OBJECTION_CODES) {
      const opens = caseFor(code);
      if (groupOf(code) === 'INCLUSION') expect(opens.type, code).toBe('REMOVE');
      else expect(opens, code).toEqual({ type: 'UPDATE' });
    }
    expect(caseFor('DECEASED')).toEqual({ type: 'REMOVE', reason: 'DECEASED' });
    expect(caseFor('NOT_ELIGIBLE')).toEqual({ type: 'REMOVE', reason: 'NO_LONGER_ELIGIBLE' });
    // Every removal reason can be reached from some objection.
    const reasons = REGISTRY_OBJECTION_CODES.flatMap((code) => {
      const opens = caseFor(code);
      return opens.type === 'REMOVE' ? [opens.reason] : [];
    });
    expect(new Set(reasons)).toEqual(new Set(REMOVAL_REASONS));
  });

  it('labels every category, group and reporter status in Bahasa Indonesia and English', () => {
    for (const code of [...REGISTRY_OBJECTION_CODES, ...OBJECTION_GROUPS, 'RECEIVED', 'IN_PROCESS', 'UPHELD', 'NOT_UPHELD'] as const) {
      expect(REGISTRY_OBJECTION_LABELS[code].id, code).toMatch(/\S/);
      expect(REGISTRY_OBJECTION_LABELS[code].en, code).toMatch(/\S/);
      expect(REGISTRY_OBJECTION_LABELS[code].id).not.toBe(REGISTRY_OBJECTION_LABELS[code].en);
    }
  });
});

describe('receipt codes', () => {
  it('are SGH- and 8 Crockford base32 characters, without I, L, O or U', () => {
    for (let i = 0; i < 200; i++) expect(newReceipt()).toMatch(/^SGH-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{8}$/);
  });

  it('encode all 40 random bits, so two draws collide only by chance', () => {
    expect(newReceipt(() => new Uint8Array(5))).toBe('SGH-00000000');
    expect(newReceipt(() => new Uint8Array(5).fill(255))).toBe('SGH-ZZZZZZZZ');
    expect(newReceipt(() => Uint8Array.of(0, 0, 0, 0, 1))).toBe('SGH-00000001');
    expect(newReceipt(() => Uint8Array.of(0x80, 0, 0, 0, 0))).toBe('SGH-G0000000');
    const drawn = new Set(Array.from({ length: 2000 }, () => newReceipt()));
    expect(drawn.size).toBe(2000);
  });

  it('read back as typed: any case, spaces or hyphens, I and L as 1, O as 0', () => {
    expect(normalizeReceipt('sgh-7k2m9qxr')).toBe('SGH-7K2M9QXR');
    expect(normalizeReceipt(' SGH 7K2M 9QXR ')).toBe('SGH-7K2M9QXR');
    expect(normalizeReceipt('7k2m9qxr')).toBe('SGH-7K2M9QXR');
    expect(normalizeReceipt('SGH-OIL00000')).toBe('SGH-01100000');
    expect(normalizeReceipt('SGH-7K2M9QX')).toBeUndefined();
    expect(normalizeReceipt('SGH-7K2M9QXU')).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 5, maxLength: 5 }), (bytes) => {
        const receipt = newReceipt(() => bytes);
        expect(normalizeReceipt(receipt.toLowerCase())).toBe(receipt);
        expect(RECEIPT_PATTERN.test(receipt)).toBe(true);
      }),
    );
  });
});

describe("the reporter's status", () => {
  const received = '2025-03-01T08:00:00.000Z';
  const created = { at: received, to: { status: 'DRAFT' as const } };
  const submitted = { at: '2025-03-04T09:00:00.000Z', to: { status: 'SUBMITTED' as const } };
  const registered = { at: '2025-03-20T10:00:00.000Z', to: { status: 'REGISTERED' as const } };

  it('is RECEIVED while the case is a draft at the village', () => {
    expect(reporterView(received, 'DRAFT', [created])).toEqual({ status: 'RECEIVED', receivedAt: received });
  });

  it('is IN_PROCESS from the submission on, also while the case is back at the village to be fixed', () => {
    expect(reporterView(received, 'IN_REVIEW', [created, submitted])).toEqual({
      status: 'IN_PROCESS',
      receivedAt: received,
      inProcessAt: submitted.at,
    });
    const returned = { at: '2025-03-06T00:00:00.000Z', to: { status: 'RETURNED' as const } };
    const redrafted = { at: '2025-03-07T00:00:00.000Z', to: { status: 'DRAFT' as const } };
    expect(reporterView(received, 'DRAFT', [created, submitted, returned, redrafted]).status).toBe('IN_PROCESS');
  });

  it('is UPHELD with the date the removal or correction registered', () => {
    expect(reporterView(received, 'REGISTERED', [registered, submitted, created])).toEqual({
      status: 'UPHELD',
      receivedAt: received,
      inProcessAt: submitted.at,
      decidedAt: registered.at,
    });
  });

  it('is NOT_UPHELD when the case is rejected or withdrawn, dated by the last rejection', () => {
    const withdrawn = { at: '2025-03-02T00:00:00.000Z', to: { status: 'REJECTED' as const } };
    expect(reporterView(received, 'REJECTED', [created, withdrawn])).toEqual({
      status: 'NOT_UPHELD',
      receivedAt: received,
      decidedAt: withdrawn.at,
    });
    const again = { at: '2025-04-02T00:00:00.000Z', to: { status: 'REJECTED' as const } };
    expect(reporterView(received, 'REJECTED', [created, submitted, withdrawn, again]).decidedAt).toBe(again.at);
  });

  it('counts an objection that joined a case already under way as in process from its own arrival', () => {
    const late = '2025-03-10T00:00:00.000Z';
    expect(reporterView(late, 'AWAITING_APPROVAL', [created, submitted]).inProcessAt).toBe(late);
  });
});
