import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { environments, type EnvironmentConfig } from '../lib/environments.js';
import { NxgStack, applicationSecretKeys } from '../lib/nxg-stack.js';

function synthesize(config: EnvironmentConfig): Template {
  const app = new App();
  return Template.fromStack(new NxgStack(app, `Test-${config.name}`, { config, imageTag: 'test' }));
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

const prod = synthesize(environments.prod);
const dev = synthesize(environments.dev);

describe('data stores', () => {
  it('keeps PostgreSQL private, encrypted, TLS-only and Multi-AZ in prod', () => {
    prod.hasResourceProperties('AWS::RDS::DBInstance', {
      PubliclyAccessible: false,
      StorageEncrypted: true,
      MultiAZ: true,
      Engine: 'postgres',
      DeletionProtection: true,
    });
    prod.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: { 'rds.force_ssl': '1' },
    });
  });

  it('encrypts Redis in transit and at rest, with an AUTH token from Secrets Manager', () => {
    for (const template of [prod, dev]) {
      template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
        TransitEncryptionEnabled: true,
        AtRestEncryptionEnabled: true,
        AuthToken: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      });
    }
  });

  it('blocks public access to the files bucket, encrypts it and refuses plain HTTP', () => {
    prod.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({ ServerSideEncryptionConfiguration: Match.anyValue() }),
    });
    prod.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      }),
    });
    prod.hasResourceProperties('AWS::CloudFront::OriginAccessControl', Match.anyValue());
  });
});

describe('load balancer', () => {
  it('checks API health on /health/ready', () => {
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health/ready',
      Port: 3000,
    });
  });

  it('serves HTTPS and redirects HTTP to it', () => {
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
    });
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [
        Match.objectLike({
          Type: 'redirect',
          RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }),
        }),
      ],
    });
  });

  it('keeps sockets open longer than their ping interval', () => {
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'idle_timeout.timeout_seconds', Value: '120' },
      ]),
    });
  });
});

describe('services', () => {
  it('runs the API and the worker as separate services', () => {
    const commands = Object.values(resourcesOf(prod, 'AWS::ECS::TaskDefinition')).map((resource) =>
      (resource.Properties?.ContainerDefinitions as { Command: string[] }[])[0]?.Command.join(' '),
    );
    assert.deepEqual(commands.sort(), ['node dist/server.js', 'node dist/worker.js']);
  });

  it('passes every secret as an ECS secret, never as a plain environment variable', () => {
    const secretNames = [...applicationSecretKeys, 'DATABASE_PASSWORD', 'REDIS_PASSWORD'];
    for (const resource of Object.values(resourcesOf(prod, 'AWS::ECS::TaskDefinition'))) {
      const [container] = resource.Properties?.ContainerDefinitions as {
        Environment: { Name: string; Value: unknown }[];
        Secrets: { Name: string }[];
      }[];
      assert.ok(container);
      const plain = container.Environment.map((variable) => variable.Name);
      for (const name of secretNames) assert.ok(!plain.includes(name), `${name} is plain`);
      assert.deepEqual(
        container.Secrets.map((secret) => secret.Name).sort(),
        [...secretNames].sort(),
      );
      // The database URL names the host and user only; the password comes separately.
      const databaseUrl = JSON.stringify(
        container.Environment.find((variable) => variable.Name === 'DATABASE_URL')?.Value,
      );
      assert.doesNotMatch(databaseUrl, /password|:[^/@]*@/i);
    }
  });

  it('rolls a deployment back when the 5xx rate alarm fires or tasks fail to start', () => {
    prod.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        Alarms: Match.objectLike({ Enable: true, Rollback: true }),
      }),
    });
  });

  it('scales the API between the environment’s bounds', () => {
    prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: environments.prod.api.minTasks,
      MaxCapacity: environments.prod.api.maxTasks,
    });
    dev.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: environments.dev.api.minTasks,
      MaxCapacity: environments.dev.api.maxTasks,
    });
  });
});

describe('network', () => {
  it('spreads subnets over two availability zones', () => {
    const zones = new Set(
      Object.values(resourcesOf(prod, 'AWS::EC2::Subnet')).map((subnet) =>
        JSON.stringify(subnet.Properties?.AvailabilityZone),
      ),
    );
    assert.equal(zones.size, 2);
  });

  it('opens only the load balancer to the internet', () => {
    const groups = resourcesOf(prod, 'AWS::EC2::SecurityGroup');
    const ingresses = resourcesOf(prod, 'AWS::EC2::SecurityGroupIngress');
    const openToWorld = Object.entries(groups).filter(([, group]) =>
      ((group.Properties?.SecurityGroupIngress as { CidrIp?: string }[] | undefined) ?? []).some(
        (rule) => rule.CidrIp === '0.0.0.0/0',
      ),
    );
    assert.deepEqual(
      openToWorld.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')),
      ['LoadBalancerSecurityGroup'],
    );
    // Database and Redis admit exactly the API and worker groups, each on its own port.
    for (const [port, count] of [
      [5432, 2],
      [6379, 2],
    ] as const) {
      const rules = Object.values(ingresses).filter((rule) => rule.Properties?.FromPort === port);
      assert.equal(rules.length, count);
      for (const rule of rules) {
        assert.equal(rule.Properties?.ToPort, port);
        assert.ok(rule.Properties?.SourceSecurityGroupId, 'ingress from a group, not a range');
      }
    }
  });
});

describe('alarms', () => {
  it('watches 5xx rate, p99 latency, unhealthy hosts, database CPU and connections, Redis memory', () => {
    const descriptions = Object.values(resourcesOf(prod, 'AWS::CloudWatch::Alarm')).map((alarm) =>
      String(alarm.Properties?.AlarmDescription),
    );
    for (const expected of [
      /5xx/,
      /p99/,
      /health\/ready/,
      /PostgreSQL CPU/,
      /connections/,
      /Redis memory/,
    ]) {
      assert.ok(
        descriptions.some((description) => expected.test(description)),
        `no alarm matches ${String(expected)}`,
      );
    }
    prod.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('5xx'),
      Threshold: 5,
    });
  });
});

describe('environments', () => {
  it('differ by configuration only: dev is single-AZ for the database, prod is not', () => {
    dev.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false, StorageEncrypted: true });
    prod.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true });
  });
});
