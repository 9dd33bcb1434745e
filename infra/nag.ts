/** cdk-nag helpers: the finding id of a wildcard resource, so each acknowledgment names exactly the resource it excuses. */
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';

/** `AwsSolutions-IAM5[Resource::…]` for `resource` (an ARN, usually with tokens), as cdk-nag spells the finding. */
export function wildcardFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;
}
