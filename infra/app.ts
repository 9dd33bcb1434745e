/** The CDK app: one stack per deployment, its settings from context, checked by cdk-nag (AwsSolutions) on every synth. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { settingsFrom } from './config.ts';
import { IroAuditStack } from './stack.ts';

const app = new App();
new IroAuditStack(app, 'IroAudit', { settings: settingsFrom(app.node) });
// Any unacknowledged finding stops synth (and so deploy); every acknowledgment carries its reason in code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
