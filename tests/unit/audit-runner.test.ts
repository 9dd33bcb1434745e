/** The state machine runner: one execution per audit and purpose, a retried start harmless, other refusals passed on. */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsAuditRunner, executionName } from '#service/audit-runner';

const ARN = 'arn:aws:states:eu-west-2:123456789012:stateMachine:iro-audit-runner';
const sfn = mockClient(SFNClient);
beforeEach(() => sfn.reset());

const error = (name: string) => Object.assign(new Error(name), { name });

describe('StepFunctionsAuditRunner', () => {
  it('starts the state machine with the audit as input, named after it', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:x` });
    await new StepFunctionsAuditRunner(new SFNClient({ region: 'eu-west-2' }), ARN).start({
      authorityId: 'demo',
      auditId: '20261201-101500-abc123',
      segments: 4,
    });
    const [call] = sfn.commandCalls(StartExecutionCommand);
    expect(call!.args[0].input).toEqual({
      stateMachineArn: ARN,
      name: 'demo--20261201-101500-abc123',
      input: JSON.stringify({ authorityId: 'demo', auditId: '20261201-101500-abc123', segments: 4 }),
    });
  });

  it("names the publishing of a closed audit apart from its launch, since a finished execution's name cannot be used again", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:x` });
    const runner = new StepFunctionsAuditRunner(new SFNClient({ region: 'eu-west-2' }), ARN);
    await runner.start({ authorityId: 'demo', auditId: 'a1', segments: 4 });
    await runner.start({ authorityId: 'demo', auditId: 'a1', segments: 4, purpose: 'publish' });
    await runner.start({ authorityId: 'demo', auditId: 'a1', segments: 4, purpose: 'publish-7' });
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual([
      'demo--a1',
      'demo--a1--publish',
      'demo--a1--publish-7',
    ]);
  });

  it('treats a start that already happened as started, and passes any other refusal on', async () => {
    const runner = new StepFunctionsAuditRunner(new SFNClient({ region: 'eu-west-2' }), ARN);
    sfn.on(StartExecutionCommand).rejects(error('ExecutionAlreadyExists'));
    await expect(runner.start({ authorityId: 'demo', auditId: 'a1', segments: 4 })).resolves.toBeUndefined();
    sfn.on(StartExecutionCommand).rejects(error('StateMachineDoesNotExist'));
    await expect(runner.start({ authorityId: 'demo', auditId: 'a1', segments: 4 })).rejects.toThrow(
      'StateMachineDoesNotExist',
    );
  });
});

describe('executionName', () => {
  it('keeps to the 80 letters, digits, - and _ Step Functions allows, the purpose kept whole at the end', () => {
    expect(executionName('camden.gov', 'audit 1/2')).toBe('camden_gov--audit_1_2');
    const long = executionName('a'.repeat(60), 'b'.repeat(60), 'publish-12');
    expect(long).toHaveLength(80);
    expect(long.endsWith('--publish-12')).toBe(true);
    expect(long).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(executionName('a'.repeat(60), 'b'.repeat(60))).toHaveLength(80);
  });
});
