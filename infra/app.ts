/** The CDK app: one stack per deployment (an authority's own AWS account). More constructs join as the product grows. */
import { App, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { RecordsTable } from './data.ts';

export class IroAuditStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const records = new RecordsTable(this, 'Records');
    new CfnOutput(this, 'TableName', { value: records.table.tableName });
  }
}

const app = new App();
new IroAuditStack(app, 'IroAudit', {
  description: `iro-audit for ${app.node.tryGetContext('iro-audit:authorityName') ?? 'a local authority'}`,
});
