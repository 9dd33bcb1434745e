/**
 * Synthesizes the stack as `cdk synth` does (cdk.json's context, plus overrides) for template
 * assertions, and reads templates the way a reviewer would: references flattened to `<LogicalId.Attr>`,
 * policies as (action, resource) pairs, the state machine's definition as JSON.
 */
import { readFileSync } from 'node:fs';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { settingsFrom } from '../../infra/config.ts';
import { IroAuditStack } from '../../infra/stack.ts';

export const CDK_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
).context;

export interface Synthesized {
  app: App;
  stack: IroAuditStack;
  template: Template;
  resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
  >;
}

/**
 * The stack with cdk.json's context and `overrides`. Bundling is skipped (CDK's own
 * `aws:cdk:bundling-stacks` switch, as `cdk synth --exclusively` uses): the template is the same but
 * for asset hashes, and the bundles are tested on their own (bundles.test.ts) with the same options.
 */
export function synth(overrides: Record<string, unknown> = {}): Synthesized {
  const app = new App({ context: { ...CDK_CONTEXT, ...overrides, 'aws:cdk:bundling-stacks': [] } });
  const stack = new IroAuditStack(app, 'IroAudit', { settings: settingsFrom(app.node) });
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources };
}

/** A CloudFormation value as cdk-nag spells it: `{ 'Fn::GetAtt': ['Table1', 'Arn'] }` → `<Table1.Arn>`. */
export const flat = (value: unknown): string => flattenCfnReference(value);

const INTRINSICS = ['Ref', 'Fn::GetAtt', 'Fn::Join', 'Fn::Sub', 'Fn::ImportValue'];

/** `value` with every CloudFormation reference inside it flattened. */
export function flatDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flatDeep);
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && INTRINSICS.includes(keys[0]!)) return flat(value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, flatDeep(v)]));
  }
  return value;
}

/** The logical id of a construct's resource (its default child when it is an L2). */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).resolve(element.logicalId) as string;
}

/** Every permission a role holds as `action @ resource` (plus ` if {condition}`), from all its policies. */
export function permissions(s: Synthesized, roleLogicalId: string): string[] {
  const pairs: string[] = [];
  for (const resource of Object.values(s.resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const props = resource.Properties as { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } };
    if (!props.Roles.some((role) => flat(role) === `<${roleLogicalId}>`)) continue;
    for (const statement of props.PolicyDocument.Statement) {
      if (statement.Effect !== 'Allow') throw new Error(`unexpected ${statement.Effect} in a role policy`);
      const condition = statement.Condition ? ` if ${JSON.stringify(flatDeep(statement.Condition))}` : '';
      for (const action of [statement.Action].flat())
        for (const res of [statement.Resource].flat()) pairs.push(`${action} @ ${flat(res)}${condition}`);
    }
  }
  return pairs.sort();
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** The role (logical id) a function runs as. */
export function roleOf(s: Synthesized, functionLogicalId: string): string {
  const role = flat(s.resources[functionLogicalId]!.Properties!.Role);
  return role.replace(/^<(.*)\.Arn>$/, '$1');
}

/** The state machine's definition, references as `<LogicalId.Attr>` (they sit inside JSON strings, so it parses). */
export function definitionOf(s: Synthesized): StateMachineDefinition {
  const [machine] = Object.values(s.resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  // Not `flat`: cdk-nag's flattening also rewrites `${…}` in plain strings, which would break the JSON.
  const [separator, parts] = (machine!.Properties!.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const text = parts.map((part) => (typeof part === 'string' ? part : flat(part))).join(separator);
  return JSON.parse(text) as StateMachineDefinition;
}

export interface StateDefinition {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Record<string, unknown>[];
  Retry?: {
    ErrorEquals: string[];
    IntervalSeconds?: number;
    MaxAttempts?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
    JitterStrategy?: string;
  }[];
  Catch?: { ErrorEquals: string[]; ResultPath?: string; Next: string }[];
  Parameters?: Record<string, unknown>;
  ResultPath?: string | null;
  ResultSelector?: Record<string, unknown>;
  ItemsPath?: string;
  ItemSelector?: Record<string, unknown>;
  ItemProcessor?: StateMachineDefinition;
  MaxConcurrency?: number;
  Error?: string;
  Cause?: string;
  CausePath?: string;
}

export interface StateMachineDefinition {
  StartAt: string;
  States: Record<string, StateDefinition>;
}
