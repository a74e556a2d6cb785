import { beforeAll, describe, expect, it } from 'vitest';
import { distanceMeters } from '../../domain/evidence/geo.ts';
import type { EvidenceStore } from '../../functions/adapters/evidence-store.ts';
import { checkEvidence } from '../../functions/check-evidence.ts';
import type { StageDeps } from '../../functions/shared/runtime.ts';
import {
  farFromHouseLocation,
  houseLocation,
  makeJpeg,
  makePng,
  nearHouseLocation,
} from '../support/evidence-fixtures.ts';
import { stageDeps } from '../support/stage-deps.ts';
import { inputOf, moveTo, proposalAt } from './support/stage-fixtures.ts';

const DAY_MS = 86_400_000;

describe('checkEvidence', () => {
  let env: Awaited<ReturnType<typeof stageDeps>>;
  let deps: StageDeps;
  // Distinct pictures per proposal, so no test trips the reuse check by accident.
  let seed = 7_000;
  const nextSeed = () => (seed += 10);
  beforeAll(async () => {
    env = await stageDeps();
    deps = env.deps;
  });

  const atEvidenceCheck = () => proposalAt(deps, 'EVIDENCE_CHECK');
  const recentPhoto = (options: Parameters<typeof makeJpeg>[0] = {}) =>
    makeJpeg({ seed: nextSeed(), takenAt: new Date(Date.now() - 2 * DAY_MS), gps: houseLocation, ...options });

  async function returnedBy(proposalId: string, version = 1, stageDepsToUse = deps) {
    const error = await checkEvidence({ proposalId, version }, stageDepsToUse).then(
      () => undefined,
      (thrown: Error) => thrown,
    );
    expect(error?.name).toBe('Verval.Returned');
    const stored = (await deps.store.getProposal(proposalId))!;
    expect(stored).toMatchObject({ status: 'SUBMITTED', stage: 'EVIDENCE_CHECK' });
    return { error: error!, stored };
  }

  it('accepts good documents, moves to public review and records how far each house photo was taken', async () => {
    const proposal = await atEvidenceCheck();
    await env.uploadGoodEvidence(proposal.id, nextSeed(), nearHouseLocation);

    await expect(checkEvidence(inputOf(proposal), deps)).resolves.toEqual({ documents: 4 });

    const stored = await deps.store.getProposal(proposal.id);
    expect(stored).toMatchObject({ status: 'SUBMITTED', stage: 'PUBLIC_REVIEW', reasons: [] });
    const expected = Math.round(distanceMeters(nearHouseLocation, houseLocation));
    expect(expected).toBeGreaterThan(20);
    const distances = stored!.flags.filter((flag) => flag.code === 'PHOTO_DISTANCE');
    expect(distances.map((flag) => flag.path).sort()).toEqual(['documents.house-front', 'documents.house-interior']);
    for (const flag of distances) {
      expect(Math.abs(Number(flag.detail?.distanceMeters) - expected)).toBeLessThanOrEqual(2);
    }
    expect(distances.find((flag) => flag.path === 'documents.house-front')?.detail?.file).toBe('front.jpg');
    expect((await deps.store.auditTrail(proposal.id)).at(-1)).toMatchObject({
      action: 'EVIDENCE_ACCEPTED',
      to: { status: 'SUBMITTED', stage: 'PUBLIC_REVIEW' },
      detail: { documents: 4 },
    });
  });

  it('returns a proposal with a required document missing', async () => {
    const proposal = await atEvidenceCheck();
    const takenAt = new Date(Date.now() - DAY_MS);
    await env.upload(proposal.id, 'house-front', 'a.jpg', recentPhoto({ takenAt }), 'image/jpeg');
    await env.upload(proposal.id, 'house-interior', 'b.jpg', recentPhoto({ takenAt }), 'image/jpeg');
    await env.upload(proposal.id, 'id-scan', 'c.jpg', makeJpeg({ seed: nextSeed(), takenAt }), 'image/jpeg');

    const { error, stored } = await returnedBy(proposal.id);

    expect(error.message).toBe('Returned to the village: DOCUMENT_MISSING');
    expect(stored.reasons).toEqual([expect.objectContaining({ path: 'documents.berita-acara', code: 'DOCUMENT_MISSING' })]);
    expect(stored.flags).toContainEqual({ code: 'DOCUMENT_MISSING', path: 'documents.berita-acara' });
    expect((await deps.store.auditTrail(proposal.id)).at(-1)).toMatchObject({
      action: 'EVIDENCE_REJECTED',
      detail: { codes: ['DOCUMENT_MISSING'] },
    });
  });

  it('sniffs a PNG uploaded as the berita acara and refuses it, whatever Content-Type was declared', async () => {
    const proposal = await atEvidenceCheck();
    await env.uploadGoodEvidence(proposal.id, nextSeed());
    await env.upload(proposal.id, 'berita-acara', 'musdes.pdf', makePng({ seed: nextSeed() }), 'application/pdf');

    const { stored } = await returnedBy(proposal.id);

    expect(stored.reasons).toEqual([
      expect.objectContaining({ path: 'documents.berita-acara', code: 'DOCUMENT_TYPE_NOT_ALLOWED' }),
    ]);
    expect(stored.reasons[0]!.message.en).toContain('application/pdf');
  });

  it('refuses a file over the size limit from its listed size, without downloading it', async () => {
    const small: StageDeps = {
      ...deps,
      config: {
        ...deps.config,
        documents: { ...deps.config.documents, 'house-front': { ...deps.config.documents['house-front'], maxBytes: 1000 } },
      },
    };
    const read: string[] = [];
    const evidence: EvidenceStore = {
      listDocuments: (proposalId) => deps.evidence.listDocuments(proposalId),
      read: (key) => {
        read.push(key);
        return deps.evidence.read(key);
      },
    };
    const proposal = await atEvidenceCheck();
    await env.uploadGoodEvidence(proposal.id, nextSeed());

    const { stored } = await returnedBy(proposal.id, 1, { ...small, evidence });

    expect(stored.reasons).toEqual([expect.objectContaining({ path: 'documents.house-front', code: 'DOCUMENT_TOO_LARGE' })]);
    expect(read.some((key) => key.includes('/house-front/'))).toBe(false);
    expect(read).toHaveLength(3);
  });

  it('returns a photo taken 20 km from the house, with the distance', async () => {
    const proposal = await atEvidenceCheck();
    await env.uploadGoodEvidence(proposal.id, nextSeed());
    await env.upload(proposal.id, 'house-front', 'front.jpg', recentPhoto({ gps: farFromHouseLocation }), 'image/jpeg');

    const { stored } = await returnedBy(proposal.id);

    expect(stored.reasons).toEqual([expect.objectContaining({ path: 'documents.house-front', code: 'PHOTO_TOO_FAR' })]);
    expect(stored.reasons[0]!.message.en).toContain(`${deps.config.photo.maxDistanceMeters} m`);
    const far = stored.flags.find((flag) => flag.code === 'PHOTO_DISTANCE' && flag.path === 'documents.house-front');
    const expected = distanceMeters(farFromHouseLocation, houseLocation);
    expect(expected).toBeGreaterThan(15_000);
    expect(Math.abs(Number(far?.detail?.distanceMeters) - expected)).toBeLessThan(5);
  });

  it('returns a photo older than the allowed age', async () => {
    const proposal = await atEvidenceCheck();
    await env.uploadGoodEvidence(proposal.id, nextSeed());
    const takenAt = new Date(Date.now() - (deps.config.photo.maxAgeDays + 20) * DAY_MS);
    await env.upload(proposal.id, 'house-interior', 'inside.jpg', recentPhoto({ takenAt }), 'image/jpeg');

    const { stored } = await returnedBy(proposal.id);

    expect(stored.reasons).toEqual([expect.objectContaining({ path: 'documents.house-interior', code: 'PHOTO_TOO_OLD' })]);
    expect(stored.reasons[0]!.message.en).toContain(`${deps.config.photo.maxAgeDays} days`);
  });

  it('returns the same photo used under another proposal, pointing at the first, and the copy never counts against the original', async () => {
    const first = await atEvidenceCheck();
    const picture = nextSeed();
    await env.uploadGoodEvidence(first.id, picture);
    await checkEvidence(inputOf(first), deps);
    const second = await atEvidenceCheck();
    await env.uploadGoodEvidence(second.id, nextSeed());
    const takenAt = new Date(Date.now() - 3 * DAY_MS);
    await env.upload(second.id, 'house-front', 'front.jpg', makeJpeg({ seed: picture, takenAt, gps: houseLocation }), 'image/jpeg');

    const { error, stored } = await returnedBy(second.id);

    expect(error.message).toBe('Returned to the village: PHOTO_REUSED');
    expect(stored.reasons).toEqual([expect.objectContaining({ path: 'documents.house-front', code: 'PHOTO_REUSED' })]);
    expect(stored.reasons[0]!.message.en).toContain(first.id);
    expect(stored.flags).toContainEqual({
      code: 'PHOTO_REUSED',
      path: 'documents.house-front',
      detail: { file: 'front.jpg', otherKey: `proposals/${first.id}/house-front/front.jpg` },
      pointer: { proposalId: first.id },
    });
    // When the first proposal's check runs again (a retry, a corrected version), neither its own indexed pictures
    // nor the caught copy count against it.
    await moveTo(deps.store, first.id, 'SUBMITTED', 'EVIDENCE_CHECK');
    await expect(checkEvidence(inputOf(first), deps)).resolves.toEqual({ documents: 4 });
  });

  it('returns both of two near-copy photos checked at the same moment, and the one checked again afterwards passes', async () => {
    const first = await atEvidenceCheck();
    const picture = nextSeed();
    await env.uploadGoodEvidence(first.id, picture);
    const second = await atEvidenceCheck();
    await env.uploadGoodEvidence(second.id, nextSeed());
    const copy = makeJpeg({ seed: picture, quality: 50, takenAt: new Date(Date.now() - DAY_MS), gps: houseLocation });
    await env.upload(second.id, 'house-front', 'front.jpg', copy, 'image/jpeg');
    // The worst interleaving: each check's n-th photo look-up waits until the other check reaches its n-th too.
    const lookUpRound = barrier(2);
    const inLockstep = () => ({ ...deps, store: withLookUpsHeld(deps.store, lookUpRound) });

    const outcomes = await Promise.allSettled([
      checkEvidence(inputOf(first), inLockstep()),
      checkEvidence(inputOf(second), inLockstep()),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    for (const [proposal, other] of [[first, second], [second, first]] as const) {
      const stored = (await deps.store.getProposal(proposal.id))!;
      expect(stored.reasons.map((reason) => reason.code)).toEqual(['PHOTO_REUSED']);
      expect(stored.flags).toContainEqual(
        expect.objectContaining({ code: 'PHOTO_REUSED', path: 'documents.house-front', pointer: { proposalId: other.id } }),
      );
    }
    // Neither copy stays indexed, so the village that sends its proposal again first gets it through.
    await expect(checkEvidence(inputOf(first), deps)).resolves.toEqual({ documents: 4 });
    await returnedBy(second.id);
  });

  it('catches a slightly re-encoded copy of another household\'s photo', async () => {
    const first = await atEvidenceCheck();
    const picture = nextSeed();
    await env.uploadGoodEvidence(first.id, picture);
    await checkEvidence(inputOf(first), deps);
    const second = await atEvidenceCheck();
    await env.uploadGoodEvidence(second.id, nextSeed());
    const copy = makeJpeg({ seed: picture, quality: 50, takenAt: new Date(Date.now() - DAY_MS), gps: houseLocation });
    const original = await env.deps.evidence.read(`proposals/${first.id}/house-front/front.jpg`);
    expect(Buffer.from(copy).equals(Buffer.from(original))).toBe(false);
    await env.upload(second.id, 'house-front', 'front.jpg', copy, 'image/jpeg');

    const { stored } = await returnedBy(second.id);

    expect(stored.reasons.map((reason) => reason.code)).toEqual(['PHOTO_REUSED']);
    expect(stored.flags).toContainEqual(
      expect.objectContaining({ code: 'PHOTO_REUSED', path: 'documents.house-front', pointer: { proposalId: first.id } }),
    );
  });
});

/** Lets `parties` callers through round n together, once each has arrived at round n. */
function barrier(parties: number): (round: number) => Promise<void> {
  const rounds = new Map<number, { arrived: number; release: () => void; released: Promise<void> }>();
  return (round) => {
    let entry = rounds.get(round);
    if (!entry) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      entry = { arrived: 0, release, released };
      rounds.set(round, entry);
    }
    if (++entry.arrived === parties) entry.release();
    return entry.released;
  };
}

/** The real store, with each photo look-up held at the barrier first. */
function withLookUpsHeld(store: StageDeps['store'], waitForRound: (round: number) => Promise<void>): StageDeps['store'] {
  let lookUps = 0;
  const held: StageDeps['store'] = Object.create(store);
  held.findPhotos = async (bandKeys) => {
    await waitForRound(lookUps++);
    return store.findPhotos(bandKeys);
  };
  return held;
}
