import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { ProvinceConfig } from '../domain/province-config.ts';
import { VervalFunction } from './verval-function.ts';

/**
 * The identity attributes the API authorizes on (domain/access.ts: Caller). Only administrators set them
 * (AdminCreateUser / AdminUpdateUserAttributes); the app client may read but never write them.
 */
export const IDENTITY_ATTRIBUTES = ['role', 'tier', 'region'] as const;

/**
 * The province's users: village operators, approvers and administrators, each created by an administrator
 * (no self sign-up). Sign-in is by username with SRP from the web console; the ID token carries the caller's
 * `role`, `tier` and `region` claims, copied from the custom attributes by the pre-token-generation trigger
 * (functions/add-identity-claims.ts), and that token is what the API's JWT authorizer accepts.
 */
export class UserPool extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly trigger: VervalFunction;
  /** The token issuer the API's JWT authorizer trusts: `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: { config: ProvinceConfig; encryptionKey: kms.IKey }) {
    super(scope, id);
    const { config } = props;

    this.userPool = new cognito.UserPool(this, 'Pool', {
      userPoolName: `verval-${config.provinceCode}`,
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      // Usernames are typed on phones; `Budi` and `budi` must be the same operator.
      signInCaseSensitive: false,
      standardAttributes: {
        fullname: { required: false, mutable: true },
        email: { required: false, mutable: true },
      },
      customAttributes: {
        role: new cognito.StringAttribute({ minLen: 1, maxLen: 32, mutable: true }),
        tier: new cognito.StringAttribute({ minLen: 1, maxLen: 16, mutable: true }),
        // The longest region code is a village: 81.71.01.1006 (13 characters).
        region: new cognito.StringAttribute({ minLen: 2, maxLen: 16, mutable: true }),
      },
      // Administrators create every account; the invitation reaches those with an email, and the administrator
      // hands the temporary password to those without.
      userInvitation: {
        emailSubject: 'Akun Verval / Verval account',
        emailBody:
          'Nama pengguna / username: {username}<br>Kata sandi sementara / temporary password: {####}<br>' +
          'Ganti kata sandi saat pertama masuk. / Change it when you first sign in.',
      },
      userVerification: {
        emailSubject: 'Kode verifikasi Verval / Verval verification code',
        emailBody: 'Kode verifikasi Anda / your verification code: {####}',
        emailStyle: cognito.VerificationEmailStyle.CODE,
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        passwordHistorySize: 5,
        // Operators in villages with poor signal may first sign in days after the administrator creates them.
        tempPasswordValidity: Duration.days(7),
      },
      mfa: cognito.Mfa.OPTIONAL,
      // TOTP only: SMS codes do not reach villages with poor signal, and SIMs are shared.
      mfaSecondFactor: { otp: true, sms: false },
      // Users with a verified email reset their own password; everyone else asks their administrator.
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus: threat protection (compromised credentials, risky sign-ins blocked) makes up for optional MFA.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional (TOTP only): village operators share phones and SIMs and work with poor signal, so a required second factor would lock them out of submitting proposals. Approvers and administrators are asked to enrol TOTP; Plus-tier threat protection (ENFORCED) blocks risky and compromised-credential sign-ins.',
    });

    const readable = new cognito.ClientAttributes()
      .withStandardAttributes({ fullname: true, email: true, emailVerified: true })
      .withCustomAttributes(...IDENTITY_ATTRIBUTES);
    this.client = this.userPool.addClient('WebClient', {
      userPoolClientName: `verval-${config.provinceCode}-web`,
      // A browser app cannot keep a secret.
      generateSecret: false,
      // The console signs in with USER_PASSWORD_AUTH over TLS (a small bundle for low-end phones; SRP would
      // add its big-number maths); SRP stays open for other clients. No hosted UI, so no OAuth flows.
      authFlows: { userSrp: true, userPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // Refresh for a working fortnight: a field operator should not have to sign in again offline.
      refreshTokenValidity: Duration.days(14),
      readAttributes: readable,
      // Users may fix their display name; role, tier, region (and email) only an administrator changes.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    this.trigger = new VervalFunction(this, 'AddIdentityClaims', {
      config,
      file: 'add-identity-claims.ts',
      description: 'Cognito pre-token-generation: role, tier and region claims in the ID token',
      memorySize: 256,
      timeout: Duration.seconds(5),
      encryptionKey: props.encryptionKey,
    });
    // V1_0 customises the ID token, which is the token the API accepts.
    this.userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION, this.trigger.function, cognito.LambdaVersion.V1_0);

    const stack = Stack.of(this);
    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
  }
}
