import type { Template } from '../support/province-template.ts';

/*
 * Lookups in a synthesized template (test/support/province-template.ts, which keeps `aws:cdk:path` metadata),
 * by construct path instead of generated logical ids.
 */

export type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect?: string };
type Resource = Template['Resources'][string] & { DependsOn?: string[] };

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** The logical id of the only resource of this type. */
export function logicalIdOfType(template: Template, type: string): string {
  const ids = resourcesOfType(template, type).map(([id]) => id);
  if (ids.length !== 1) throw new Error(`Expected one ${type}, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}

/** The logical id of the resource whose construct path ends with `suffix` (e.g. `/Api/GetProposal/Role/Resource`). */
export function idAt(template: Template, suffix: string): string {
  const ids = Object.entries(template.Resources)
    .filter(([, resource]) => String(resource.Metadata?.['aws:cdk:path'] ?? '').endsWith(suffix))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`Expected one resource at *${suffix}, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}

export function resourceAt(template: Template, suffix: string): Resource {
  return template.Resources[idAt(template, suffix)]!;
}

/** Every IAM statement of the policies attached to the role with this logical id. */
export function statementsOf(template: Template, roleId: string): Statement[] {
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as { Ref?: string }[]).some((role) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

export const actionsOfStatements = (statements: Statement[]) => statements.flatMap((statement) => [statement.Action].flat());
