import type { LocalCredentials } from '../../local/sigv4.ts';

// Values test/support/global-setup.ts hands to every test file through inject().
declare module 'vitest' {
  export interface ProvidedContext {
    /** DynamoDB Local, in memory, shared by the whole run: http://127.0.0.1:<port> */
    dynamodbEndpoint: string;
    /** The local S3 store, in memory, shared by the whole run: http://127.0.0.1:<port> */
    s3Endpoint: string;
    /** The only credentials the local S3 store accepts. */
    credentials: LocalCredentials;
    region: string;
  }
}
