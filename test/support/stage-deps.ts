import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDbRecordsStore } from '../../functions/adapters/dynamodb-records-store.ts';
import { DynamoDbFreezeStore } from '../../functions/adapters/dynamodb-freeze-store.ts';
import { S3EvidenceStore } from '../../functions/adapters/s3-evidence-store.ts';
import type { StageDeps } from '../../functions/shared/runtime.ts';
import { regionDirectory } from '../../functions/shared/regions.ts';
import { parseProvinceConfig, type ProvinceConfigOverrides } from '../../domain/province-config.ts';
import { createTablesFromTemplate } from '../../local/cloudformation-tables.ts';
import { createTestBucket, testClients, uniqueName } from './aws-clients.ts';
import { houseLocation, makeJpeg, makePdf, type LatLon } from './evidence-fixtures.ts';
import { functionEnvironment, provinceTemplate } from './province-template.ts';

const noWorkflow = async () => {
  throw new Error('No workflow in these stage deps: pass one');
};

export const TEST_IDENTITY_KEY = 'test-identity-hash-key-0123456789abcdef';

/**
 * Stage dependencies on real services: a DynamoDB Local table created from the synthesized template's table,
 * a bucket in the local S3 store, and the province config the template gives the functions.
 */
export async function stageDeps(options: { timeScale?: number; configOverrides?: ProvinceConfigOverrides } = {}) {
  const clients = testClients();
  const { template, stackName } = provinceTemplate('81', options.configOverrides);
  const tables = await createTablesFromTemplate(template, clients.dynamodb, { nameFor: (id) => uniqueName(id) });
  const tableName = Object.values(tables)[0]!;
  const bucket = await createTestBucket(clients.s3, 'evidence');
  const config = parseProvinceConfig(JSON.parse(String(functionEnvironment(template, 'ValidateSubmission').PROVINCE_CONFIG)));
  /** Real time unless a test pins it. */
  const clock: { pinned?: Date } = {};
  const now = () => clock.pinned ?? new Date();
  const regions = regionDirectory('81');
  const deps: StageDeps = {
    provinceCode: '81',
    config,
    store: new DynamoDbRecordsStore(clients.documents, tableName, now),
    freezes: new DynamoDbFreezeStore(clients.documents, tableName, now),
    evidence: new S3EvidenceStore(clients.s3, bucket),
    identityKey: async () => TEST_IDENTITY_KEY,
    regions: () => regions,
    // Only request-decision answers tokens; its tests pass the workflow they watch.
    workflow: { sendTaskSuccess: noWorkflow, sendTaskFailure: noWorkflow },
    now,
    timeScale: options.timeScale ?? 1,
  };

  /** Uploads a document as a village would, under `proposals/<id>/<kind>/<file>`. */
  const upload = async (proposalId: string, kind: string, file: string, body: Uint8Array, contentType: string) => {
    await clients.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `proposals/${proposalId}/${kind}/${file}`, Body: body, ContentType: contentType }),
    );
  };

  /** Every default document, good: fresh photos taken at the house with distinct pictures, and a PDF. */
  const uploadGoodEvidence = async (proposalId: string, seed: number, location: LatLon = houseLocation) => {
    const takenAt = new Date(now().getTime() - 3 * 86_400_000);
    await upload(proposalId, 'house-front', 'front.jpg', makeJpeg({ seed, takenAt, gps: location }), 'image/jpeg');
    await upload(proposalId, 'house-interior', 'inside.jpg', makeJpeg({ seed: seed + 1, takenAt, gps: location }), 'image/jpeg');
    await upload(proposalId, 'id-scan', 'kk.jpg', makeJpeg({ seed: seed + 2, takenAt }), 'image/jpeg');
    await upload(proposalId, 'berita-acara', 'musdes.pdf', makePdf(), 'application/pdf');
  };

  return { deps, clients, tableName, bucket, clock, config, template, stackName, upload, uploadGoodEvidence };
}
