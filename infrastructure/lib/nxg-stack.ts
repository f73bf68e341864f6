import {
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  aws_certificatemanager as acm,
  aws_cloudfront as cloudfront,
  aws_cloudfront_origins as origins,
  aws_cloudwatch as cloudwatch,
  aws_ec2 as ec2,
  aws_ecr as ecr,
  aws_ecs as ecs,
  aws_elasticache as elasticache,
  aws_elasticloadbalancingv2 as elbv2,
  aws_logs as logs,
  aws_rds as rds,
  aws_s3 as s3,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from './environments.js';

export interface NxgStackProps extends StackProps {
  config: EnvironmentConfig;
  /** The API image tag to run (the pipeline pushes one per commit). */
  imageTag: string;
}

const API_PORT = 3000;
const POSTGRES_PORT = 5432;
const REDIS_PORT = 6379;

/**
 * Names of the application secrets kept in one Secrets Manager secret (JSON keys). Tasks get
 * them as ECS secrets, resolved at start: none is ever a plain environment variable.
 */
export const applicationSecretKeys = [
  'JWT_PRIVATE_KEY',
  'JWT_PUBLIC_KEY',
  'DATA_ENCRYPTION_KEY',
  'METRICS_TOKEN',
  'WORKOUT_SERVICE_API_KEY',
  'MEAL_DETECTION_TOKEN',
  'NUTRITION_SERVICE_API_KEY',
  'NUTRITION_SERVICE_HMAC_SECRET',
  'SCANNING_CLIENT_SECRET',
  'SCANNING_WEBHOOK_SECRET',
  'SENTRY_DSN',
] as const;

/**
 * The whole deployment of one environment: VPC over two AZs, an HTTPS load balancer in front of
 * the API service, a worker service for jobs, PostgreSQL and Redis in isolated subnets, files in
 * S3 behind CloudFront, secrets in Secrets Manager, and the alarms the deployment rolls back on.
 *
 * Containers on ECS Fargate rather than EC2 + PM2: the image is the unit the CI tests (see
 * Dockerfile), Fargate replaces PM2's restarts and clustering with one task per vCPU, and ECS
 * deployments give rolling updates with an alarm-driven rollback without hosts to patch.
 */
export class NxgStack extends Stack {
  constructor(scope: Construct, id: string, props: NxgStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Public subnets hold only the load balancer and NAT; tasks run in private subnets; data
    // stores in isolated subnets with no route to the internet at all.
    const vpc = new ec2.Vpc(this, 'Network', {
      maxAzs: 2,
      natGateways: config.name === 'prod' ? 2 : 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });

    // Least privilege: each group admits only the group in front of it, on its one port.
    const loadBalancerGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: 'HTTPS and the HTTP redirect from the internet',
      allowAllOutbound: false,
    });
    loadBalancerGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS');
    loadBalancerGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'redirect to HTTPS');
    const apiGroup = new ec2.SecurityGroup(this, 'ApiSecurityGroup', {
      vpc,
      description: 'API tasks: traffic from the load balancer only',
    });
    apiGroup.addIngressRule(loadBalancerGroup, ec2.Port.tcp(API_PORT), 'from the load balancer');
    loadBalancerGroup.addEgressRule(apiGroup, ec2.Port.tcp(API_PORT), 'to the API tasks');
    const workerGroup = new ec2.SecurityGroup(this, 'WorkerSecurityGroup', {
      vpc,
      description: 'Worker tasks: no inbound traffic',
    });
    const databaseGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc,
      description: 'PostgreSQL: the API and worker tasks only',
      allowAllOutbound: false,
    });
    const redisGroup = new ec2.SecurityGroup(this, 'RedisSecurityGroup', {
      vpc,
      description: 'Redis: the API and worker tasks only',
      allowAllOutbound: false,
    });
    for (const [client, name] of [
      [apiGroup, 'API'],
      [workerGroup, 'worker'],
    ] as const) {
      databaseGroup.addIngressRule(client, ec2.Port.tcp(POSTGRES_PORT), `PostgreSQL from ${name}`);
      redisGroup.addIngressRule(client, ec2.Port.tcp(REDIS_PORT), `Redis from ${name}`);
    }

    // --- Data -------------------------------------------------------------------------------
    const database = new rds.DatabaseInstance(this, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      instanceType: new ec2.InstanceType(config.database.instanceClass),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [databaseGroup],
      multiAz: config.database.multiAz,
      publiclyAccessible: false,
      storageEncrypted: true,
      allocatedStorage: config.database.allocatedStorageGb,
      maxAllocatedStorage: config.database.maxAllocatedStorageGb,
      databaseName: 'nxg',
      credentials: rds.Credentials.fromGeneratedSecret('nxg'),
      backupRetention: Duration.days(config.database.backupRetentionDays),
      deletionProtection: config.database.deletionProtection,
      enablePerformanceInsights: config.name !== 'dev',
      cloudwatchLogsExports: ['postgresql'],
      parameters: { 'rds.force_ssl': '1' },
      removalPolicy: config.retainData ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    });
    const databaseSecret = database.secret;
    if (!databaseSecret) throw new Error('the database was created without a credentials secret');

    const redisAuth = new secretsmanager.Secret(this, 'RedisAuthToken', {
      description: 'Redis AUTH token (ElastiCache requires 16-128 printable characters)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const redisSubnets = new elasticache.CfnSubnetGroup(this, 'RedisSubnets', {
      description: 'isolated subnets for Redis',
      subnetIds: vpc.isolatedSubnets.map((subnet) => subnet.subnetId),
    });
    const redis = new elasticache.CfnReplicationGroup(this, 'Redis', {
      replicationGroupDescription: `NXG Connect ${config.name} cache, rate limits and socket fan-out`,
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: config.redis.nodeType,
      numCacheClusters: 1 + config.redis.replicas,
      automaticFailoverEnabled: config.redis.replicas > 0,
      multiAzEnabled: config.redis.replicas > 0,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      authToken: redisAuth.secretValue.unsafeUnwrap(),
      cacheSubnetGroupName: redisSubnets.ref,
      securityGroupIds: [redisGroup.securityGroupId],
      port: REDIS_PORT,
    });

    const filesBucket = new s3.Bucket(this, 'Files', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: config.retainData,
      removalPolicy,
      autoDeleteObjects: !config.retainData,
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    // Public files (avatars) through CloudFront; the bucket itself stays private (OAC).
    const cdnCertificate = new acm.Certificate(this, 'CdnCertificate', {
      domainName: config.cdnDomainName,
      validation: acm.CertificateValidation.fromDns(),
    });
    const cdn = new cloudfront.Distribution(this, 'FilesCdn', {
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(filesBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      },
      domainNames: [config.cdnDomainName],
      certificate: cdnCertificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
    });

    const applicationSecret = new secretsmanager.Secret(this, 'ApplicationSecrets', {
      description:
        'JWT keys, data encryption key, AI-service keys and HMAC secrets (JSON, one key each)',
    });

    // --- Services ---------------------------------------------------------------------------
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const repository = new ecr.Repository(this, 'ApiImages', {
      imageScanOnPush: true,
      removalPolicy,
      emptyOnDelete: !config.retainData,
    });
    const image = ecs.ContainerImage.fromEcrRepository(repository, props.imageTag);

    const environment: Record<string, string> = {
      NODE_ENV: 'production',
      APP_ENV: config.name,
      PORT: String(API_PORT),
      DATABASE_URL: `postgres://nxg@${database.dbInstanceEndpointAddress}:${database.dbInstanceEndpointPort}/nxg?sslmode=require`,
      REDIS_URL: `rediss://${redis.attrPrimaryEndPointAddress}:${redis.attrPrimaryEndPointPort}`,
      S3_BUCKET: filesBucket.bucketName,
      S3_REGION: this.region,
      CDN_BASE_URL: `https://${config.cdnDomainName}`,
      PUBLIC_BASE_URL: `https://${config.apiDomainName}`,
      TRUST_PROXY: '1',
    };
    const secrets: Record<string, ecs.Secret> = {
      DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(databaseSecret, 'password'),
      REDIS_PASSWORD: ecs.Secret.fromSecretsManager(redisAuth),
    };
    for (const key of applicationSecretKeys) {
      secrets[key] = ecs.Secret.fromSecretsManager(applicationSecret, key);
    }

    const taskDefinition = (
      name: string,
      size: { cpu: number; memoryMiB: number },
      command: string[],
    ) => {
      const definition = new ecs.FargateTaskDefinition(this, `${name}Task`, {
        cpu: size.cpu,
        memoryLimitMiB: size.memoryMiB,
        runtimePlatform: {
          cpuArchitecture: ecs.CpuArchitecture.ARM64,
          operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        },
      });
      const container = definition.addContainer(name, {
        image,
        command,
        environment,
        secrets,
        readonlyRootFilesystem: true,
        logging: ecs.LogDrivers.awsLogs({
          streamPrefix: name.toLowerCase(),
          logRetention: logs.RetentionDays.ONE_MONTH,
        }),
        portMappings: name === 'Api' ? [{ containerPort: API_PORT }] : [],
        healthCheck: {
          command: ['CMD', 'node', 'dist/healthcheck.js', ...(name === 'Api' ? [] : ['--worker'])],
          interval: Duration.seconds(15),
          timeout: Duration.seconds(5),
          retries: 3,
          startPeriod: Duration.seconds(30),
        },
        stopTimeout: Duration.seconds(30),
      });
      // The root filesystem is read-only; the data directory and temporary uploads get scratch
      // space that lives and dies with the task.
      for (const [volume, containerPath] of [
        ['data', '/app/data'],
        ['tmp', '/tmp'],
      ] as const) {
        definition.addVolume({ name: volume });
        container.addMountPoints({ sourceVolume: volume, containerPath, readOnly: false });
      }
      filesBucket.grantReadWrite(definition.taskRole);
      return definition;
    };

    const alb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      securityGroup: loadBalancerGroup,
      // Socket.IO keeps connections open; its pings (25 s) stay well inside this.
      idleTimeout: Duration.seconds(120),
      dropInvalidHeaderFields: true,
    });
    const apiCertificate = new acm.Certificate(this, 'ApiCertificate', {
      domainName: config.apiDomainName,
      validation: acm.CertificateValidation.fromDns(),
    });
    alb.addRedirect({ sourcePort: 80, targetPort: 443 });
    const httpsListener = alb.addListener('Https', {
      port: 443,
      certificates: [apiCertificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
    });

    const apiService = new ecs.FargateService(this, 'ApiService', {
      cluster,
      taskDefinition: taskDefinition('Api', config.api, ['node', 'dist/server.js']),
      desiredCount: config.api.minTasks,
      securityGroups: [apiGroup],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
    });
    const targets = httpsListener.addTargets('Api', {
      port: API_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [apiService],
      healthCheck: {
        path: '/health/ready',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      // Sockets reconnect to any instance (Redis adapter); stickiness only helps the polling
      // transport's handshake, which clients skip by starting on WebSocket.
      stickinessCookieDuration: Duration.minutes(5),
      deregistrationDelay: Duration.seconds(30),
    });
    const scaling = apiService.autoScaleTaskCount({
      minCapacity: config.api.minTasks,
      maxCapacity: config.api.maxTasks,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
    scaling.scaleOnRequestCount('Requests', { requestsPerTarget: 3000, targetGroup: targets });

    new ecs.FargateService(this, 'WorkerService', {
      cluster,
      taskDefinition: taskDefinition('Worker', config.worker, ['node', 'dist/worker.js']),
      desiredCount: config.worker.tasks,
      securityGroups: [workerGroup],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      circuitBreaker: { enable: true, rollback: true },
    });

    // --- Alarms -----------------------------------------------------------------------------
    const period = Duration.minutes(1);
    const serverErrorRate = new cloudwatch.MathExpression({
      expression: '100 * errors / MAX([requests, 1])',
      usingMetrics: {
        errors: targets.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
          period,
          statistic: 'Sum',
        }),
        requests: targets.metrics.requestCount({ period, statistic: 'Sum' }),
      },
      label: '5xx rate (%)',
      period,
    });
    const serverErrorAlarm = serverErrorRate.createAlarm(this, 'ServerErrorRateAlarm', {
      alarmDescription: `More than ${config.alarms.serverErrorRatePercent}% of API responses are 5xx`,
      threshold: config.alarms.serverErrorRatePercent,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // A deployment whose tasks push the 5xx rate over the threshold is rolled back.
    apiService.enableDeploymentAlarms([serverErrorAlarm.alarmName], {
      behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
    });
    targets.metrics
      .targetResponseTime({ period, statistic: 'p99' })
      .createAlarm(this, 'LatencyP99Alarm', {
        alarmDescription: `API p99 above ${config.alarms.p99LatencySeconds * 1000} ms`,
        threshold: config.alarms.p99LatencySeconds,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
      });
    targets.metrics.unhealthyHostCount({ period }).createAlarm(this, 'UnhealthyHostsAlarm', {
      alarmDescription: 'An API task fails its /health/ready check',
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
    });
    database
      .metricCPUUtilization({ period: Duration.minutes(5) })
      .createAlarm(this, 'DatabaseCpuAlarm', {
        alarmDescription: 'PostgreSQL CPU above 80%',
        threshold: 80,
        evaluationPeriods: 3,
      });
    database
      .metricDatabaseConnections({ period: Duration.minutes(5) })
      .createAlarm(this, 'DatabaseConnectionsAlarm', {
        alarmDescription: 'PostgreSQL connections near the instance limit',
        threshold: 400,
        evaluationPeriods: 3,
      });
    new cloudwatch.Metric({
      namespace: 'AWS/ElastiCache',
      metricName: 'DatabaseMemoryUsagePercentage',
      dimensionsMap: { ReplicationGroupId: redis.ref },
      period: Duration.minutes(5),
      statistic: 'Maximum',
    }).createAlarm(this, 'RedisMemoryAlarm', {
      alarmDescription: 'Redis memory above 80% (evictions would drop revocation markers)',
      threshold: 80,
      evaluationPeriods: 3,
    });

    this.exportValue(alb.loadBalancerDnsName, { name: `${id}-LoadBalancerDns` });
    this.exportValue(cdn.distributionDomainName, { name: `${id}-CdnDomain` });
  }
}
