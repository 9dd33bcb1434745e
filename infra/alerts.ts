/**
 * The alerts construct: one encrypted, TLS-only SNS topic that mails the deployment's administrator
 * when a function keeps failing, an audit run fails or an import lands in the dead-letter queue.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertsProps {
  /** The administrator's email address (a stack parameter: a token at synth time). */
  adminEmail: string;
}

export class Alerts extends Construct {
  readonly topic: Topic;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    // Its own key: CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key.
    const key = new Key(this, 'Key', {
      description: 'iro-audit alerts topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', { displayName: 'iro-audit alerts', masterKey: key, enforceSSL: true });
    this.topic.addSubscription(new EmailSubscription(props.adminEmail));
    this.action = new SnsAction(this.topic);
  }

  /** Mails the administrator when `metric` reaches `threshold` in a 5-minute period (missing data is fine: nothing happened). */
  alarm(id: string, metric: IMetric, description: string, threshold = 1): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
  }
}

/** Metric windows of the alarms. */
export const ALARM_PERIOD = Duration.minutes(5);
