import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/*
 * One table holds every record of a province (single-table design). Access patterns:
 *
 *   what                                  key                                          index
 *   ------------------------------------  -------------------------------------------  ----------
 *   a proposal                            pk PROPOSAL#<id>     sk PROPOSAL             table
 *   its audit trail, oldest first         pk PROPOSAL#<id>     sk AUDIT#<time>#<ulid>  table
 *   its objections (sanggah)              pk PROPOSAL#<id>     sk OBJECTION#<ulid>     table
 *   its flags                             pk PROPOSAL#<id>     sk FLAG#...             table
 *   a village's proposals by status,      gsi1pk VILLAGE#<village code>                byVillage
 *     most recently changed last          gsi1sk <status>#<updatedAt>
 *   an approver's inbox: pending tasks    gsi2pk INBOX#<tier>#<region code>            inbox
 *     for a tier and region, due first    gsi2sk <dueAt>#<taskId>
 *     (set only while the task is pending, so decided tasks drop out: a sparse index)
 *   a decision task                       pk TASK#<taskId>     sk TASK                 table
 *   NIK / KK duplicate locks              pk NIK#<keyed hash> | KK#<keyed hash>  sk LOCK  table
 *     (HMAC of the number, never the number: see IdentityHashSecret)
 *   a village's registered recipients,    gsi3pk REGISTRY#<village code>                registry
 *     in registration order               gsi3sk <registeredAt>#<proposalId>
 *   photos sharing a perceptual-hash band pk PHASH#<band key>  sk <proposalId>#<key>    table
 *     (near-duplicate photos share at least one band)
 *   a region's proposals (lists, reports) gsi4pk REGION#<province code>                byRegion
 *     by village, then creation           gsi4sk <village code>#<proposalId>
 *     (a regency/district/village is a begins_with on gsi4sk: `81.03.`, `81.03.05.`, `81.03.05.2001#`)
 *   idempotency keys                      pk IDEMPOTENCY#<sha256(key)>  sk IDEMPOTENCY   table
 *     (key = <caller sub>#<Idempotency-Key>; the item holds requestHash
 *     and proposalId; deleted by DynamoDB once expiresAt (epoch seconds, the TTL) passes)
 *   rate-limit counters, one per subject  pk RATE#<sha256(subject)>#<window start>  sk RATE   table
 *     and fixed window                    (window start in epoch seconds; the item holds hits, and expiresAt a
 *                                         window after the window ends)
 *   a province's approved changes         gsi5pk CHANGES#<province code>                changes
 *     (ADD/REMOVE/UPDATE), by completion  gsi5sk <completedAt>#<proposalId>
 *     (set when an approved proposal completes; the monthly cut-off reads a window of it)
 *   the province's cut-off exports        pk EXPORTS  sk EXPORT#<cut-off month>          table
 *     (one per cut-off, written once; listed newest first)
 *   an import job                         pk IMPORT#<importId>  sk IMPORT                table
 *   its household outcomes                pk IMPORT#<importId>  sk OUTCOME#<first row, 8 digits>  table
 *     (one item per household, so recording one twice counts it once, and an accepted household's draft is
 *     written with it, so a repeated run makes no second draft; read back in row order)
 *
 * Keys never hold a NIK or KK, nor a client-chosen string: those are hashed first.
 *
 * Indexes project ALL: inbox and village lists render without a second read per row.
 */
export const RECORDS_TABLE_INDEXES = {
  byVillage: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  inbox: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  registry: { partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  byRegion: { partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
  changes: { partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
} as const;

export const RECORDS_TABLE_TTL_ATTRIBUTE = 'expiresAt';

export class RecordsTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: { encryptionKey: kms.IKey }) {
    super(scope, id);
    const string = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: string('pk'),
      sortKey: string('sk'),
      // Proposals arrive in monthly bursts around the musdes and cut-off; on-demand follows them.
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.encryptionKey),
      timeToLiveAttribute: RECORDS_TABLE_TTL_ATTRIBUTE,
      globalSecondaryIndexes: Object.entries(RECORDS_TABLE_INDEXES).map(([indexName, keys]) => ({
        indexName,
        partitionKey: string(keys.partitionKey),
        sortKey: string(keys.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      })),
    });
  }
}
