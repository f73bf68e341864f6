import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from './config/config.js';
import { listenForCommittedChanges } from './db/committed-changes.js';
import { openDatabase, type DatabaseHandle } from './db/database.js';
import { DomainEvents } from './lib/events/domain-events.js';
import type { KeyValueStore } from './lib/kv/kv.js';
import { MemoryKeyValueStore } from './lib/kv/memory-kv.js';
import { RedisKeyValueStore } from './lib/kv/redis-kv.js';
import { describeErrorForLog } from './lib/errors.js';
import { KeyedQueue } from './lib/keyed-queue.js';
import { createLogger, type Logger } from './lib/logger.js';
import {
  AccessTokens,
  AccountMail,
  AuthService,
  EmailVerification,
  TotpFactor,
  TwoFactorService,
  LoginThrottle,
  PasswordHasher,
  RevocationList,
  createAuthGuard,
  resolveSigningKeys,
  type AuthGuard,
} from './modules/auth/index.js';
import { UserPresenter, UsersService, usersRepository } from './modules/users/index.js';
import { WorkoutsService } from './modules/workouts/index.js';
import {
  BarcodeLookupService,
  MealAnalysisService,
  MealLogsService,
  NutritionService,
} from './modules/nutrition/index.js';
import { createGymFloor, machinesSocket, type GymFloor } from './modules/gym-floor/index.js';
import {
  EXPORT_PAGE_SIZE,
  WorkoutLogTransferService,
  WorkoutLogsService,
  workoutsSocket,
} from './modules/workout-logs/index.js';
import { RewardsService, achievementOf } from './modules/rewards/index.js';
import { LeaderboardService, SocialService } from './modules/social/index.js';
import { createAnalytics, type Analytics } from './modules/analytics/index.js';
import { createRealtime, namespaces, type Realtime } from './realtime/realtime.js';
import type { SocketFeature } from './realtime/socket-events.js';
import {
  createIntegrations,
  scanningAllowsHttp,
  type Integrations,
  type ResilienceSettings,
} from './integrations/index.js';
import {
  createMetrics,
  gaugeConnectedSockets,
  gaugeDatabasePool,
  type Metrics,
} from './middleware/metrics.js';
import { createJobRunner, jobDatabaseOf, type JobRunner } from './jobs/index.js';
import { registerJobs } from './job-registry.js';
import { createMailer, type Mailer } from './integrations/mail/index.js';
import { resolveDataEncryption } from './lib/crypto/data-encryption.js';
import type { Agent } from 'node:https';
import {
  NotificationService,
  RemindersService,
  createPushGateways,
  type Notifier,
} from './modules/notifications/index.js';
import {
  FilesService,
  ImagePipeline,
  LocalDiskStorage,
  S3Storage,
  UploadsService,
  type FileStorage,
} from './modules/files/index.js';
import { ScanProcessing, ScansService } from './modules/scans/index.js';

/** Everything long-lived the server is built from, wired once. */
export interface Container {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  kv: KeyValueStore;
  /** The shared Redis connection when REDIS_URL is configured. */
  redis?: Redis;
  tokens: AccessTokens;
  /** Token authentication shared by HTTP routes and socket handshakes. */
  authGuard: AuthGuard;
  auth: AuthService;
  /** Email verification and changes of address. */
  emailVerification: EmailVerification;
  /** TOTP second factor: enrolment, recovery codes, disabling. */
  twoFactor: TwoFactorService;
  /** Account email: queued with the change it is about, delivered by jobs. */
  accountMail: AccountMail;
  users: UsersService;
  workouts: WorkoutsService;
  nutrition: NutritionService;
  /** The member's meal diary. */
  mealLogs: MealLogsService;
  /** Meal photos through the Meal Detection service, confirmed into meals. */
  mealAnalysis: MealAnalysisService;
  /** Packaged foods by barcode (Open Food Facts, cached in the foods table). */
  barcodes: BarcodeLookupService;
  /** Branches, machines and gym sessions. */
  gymFloor: GymFloor;
  /** Workout log entries and their sets, from REST, the sockets and imports alike. */
  workoutLogs: WorkoutLogsService;
  /** Workout logs in and out as CSV: Strong/Hevy imports, our export. */
  workoutLogTransfer: WorkoutLogTransferService;
  /** Points and achievements. */
  rewards: RewardsService;
  /** Branch leaderboards over the points ledger. */
  leaderboard: LeaderboardService;
  /** Member analytics over their logs (rollups kept by the log events). */
  analytics: Analytics;
  /** In-process domain events: modules announce changes, others listen (tests too). */
  events: DomainEvents;
  /** The Socket.IO server and the emitters every feature (and job) sends events through. */
  realtime: Realtime;
  /** The Socket.IO namespaces the features serve; `attachSocketServer` installs them. */
  socketFeatures: SocketFeature[];
  /** Background jobs: defined here, started by whichever process works them. */
  jobs: JobRunner;
  /** The process's Prometheus registry: requests, sockets, jobs, pool, cache, AI services. */
  metrics: Metrics;
  integrations: Integrations;
  /** Members' files (meal photos, avatars, scans) and the storage behind them. */
  files: FilesService;
  /** Image uploads: checked, re-encoded and stored. */
  uploads: UploadsService;
  /** The one way any module tells a member something. */
  notifier: Notifier;
  /** Privacy, follows, blocks and the feed. */
  social: SocialService;
  /** Members' workout and meal reminders and the scheduler that sends them. */
  reminders: RemindersService;
  /** Body scans: uploads, the member's list, the 3D Scanning service's callbacks. */
  scans: ScansService;
  /** Moves scans through the 3D Scanning service (its jobs call it; tests drive it). */
  scanProcessing: ScanProcessing;
  /** The inbox, devices, preferences and push delivery behind the notifier. */
  notifications: NotificationService;
  /** Stops the jobs (letting running ones finish), then closes the database and cache. */
  close(): Promise<void>;
}

/** Ready-made parts a caller (tests, a second process) may pass instead of opening new ones. */
export interface ContainerParts {
  logger?: Logger;
  database?: DatabaseHandle;
  kv?: KeyValueStore;
  /** Shorter AI-service time limits and breaker windows (tests). */
  resilience?: Partial<ResilienceSettings>;
  /** The HTTPS agent Web Push uses (tests trust their loopback push service with it). */
  webPushAgent?: Agent;
}

/** Opens connections and builds the services for a configuration. */
export async function createContainer(
  config: Config,
  parts: ContainerParts = {},
): Promise<Container> {
  const logger = parts.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const database =
    parts.database ??
    (await openDatabase({
      url: config.databaseUrl,
      poolSize: config.databasePoolSize,
      pgliteDirectory: path.join(config.dataDir, 'pglite'),
      onConnectionError: (error) =>
        logger.warn({ error: describeErrorForLog(error) }, 'database connection lost'),
    }));
  const kv =
    parts.kv ??
    (config.redisUrl
      ? RedisKeyValueStore.connect(config.redisUrl, config.redisKeyPrefix, {
          settings: config.redisConnection,
          onAvailabilityChange: (available, reason) =>
            available
              ? logger.info({ reason }, 'redis available again')
              : logger.warn({ reason }, 'redis unavailable: serving degraded (see README)'),
        })
      : new MemoryKeyValueStore());
  const redis = kv instanceof RedisKeyValueStore ? kv.client : undefined;
  // One registry for the process: requests, sockets, jobs, pool, cache and AI services.
  const metrics = createMetrics();
  if (kv instanceof RedisKeyValueStore) kv.measureCommandsIn(metrics.registry);
  if (database.pgPool) gaugeDatabasePool(metrics.registry, database.pgPool);

  const keys = resolveSigningKeys(config.jwt, config.dataDir);
  const tokens = new AccessTokens({
    ...keys,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.accessTokenTtlSeconds,
    deviceTokenTtlSeconds: config.deviceTokenTtlSeconds,
  });
  const realtime = createRealtime({
    redis,
    keyPrefix: config.redisKeyPrefix,
    logger,
    metrics: metrics.socketEvents,
  });
  gaugeConnectedSockets(metrics.registry, () =>
    [namespaces.machines, namespaces.workouts].map((name) => realtime.io.of(name)),
  );
  // S3 when a bucket is configured; otherwise files live on local disk (embedded default).
  const s3Settings = config.files.s3;
  const s3 =
    s3Settings && new S3Storage({ ...s3Settings, urlTtlSeconds: config.files.urlTtlSeconds });
  const storage: FileStorage = s3 ?? new LocalDiskStorage(path.join(config.dataDir, 'files'));
  // Built before the services that send jobs; nothing touches the database until start().
  const jobs = createJobRunner({
    database: jobDatabaseOf(database),
    logger,
    metrics: metrics.registry,
  });
  const notifications = new NotificationService({
    db: database.db,
    logger,
    realtime,
    jobs,
    // Called only when a push is queued, long after the container is built.
    timeZones: { timezoneOf: (userId) => memberTimeZones.timezoneOf(userId) },
    gateways: createPushGateways(config.push, { webPushAgent: parts.webPushAgent }),
    settings: {
      webPushEndpointHosts: config.push.webPushEndpointHosts,
      vapidPublicKey: config.push.vapid?.publicKey,
    },
  });
  const notifier: Notifier = notifications;
  const files = new FilesService({
    db: database.db,
    storage,
    logger,
    cdnBaseUrl: s3 ? config.files.cdnBaseUrl : undefined,
  });
  // Modules announce side effects here and the interested ones subscribe (see each module's
  // DomainEventMap entries); lookups go through interfaces the consumer declares.
  const events = new DomainEvents(logger);
  // Live connections admitted under rights that ended are closed, on every instance.
  events.on('auth.sessions-revoked', (revoked) => realtime.disconnectRevoked(revoked));
  events.on('users.access-changed', ({ userId }) => realtime.disconnectUser(userId));
  // An account's objects are noted before its rows go (with them), and deleted right after;
  // what fails then is retried by the files cleanup job.
  events.on('users.deleting', ({ userId }) => files.noteAccountDeletion(userId));
  events.on('users.deleted', async ({ userId }) => {
    await files.deleteNotedObjects(userId);
  });
  const gymFloor = createGymFloor({
    db: database.db,
    kv,
    logger,
    realtime,
    notifier,
    events,
    accounts: usersRepository,
    settings: config.gymFloor,
  });
  // A member's workout and meal writes queue here, so they hold one database connection per
  // instance however many arrive at once; past 64 waiting, one more is a 503.
  const memberWrites = new KeyedQueue(64);
  // A member's local day (daily totals, streaks): the branch they are checked in at, else their
  // profile's home zone, else UTC.
  const memberTimeZones = gymFloor.presence;
  const revocations = new RevocationList({
    db: database.db,
    kv,
    logger,
    accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds,
  });
  // Account email goes out over SMTP, or into DATA_DIR/outbox in the embedded default.
  const mailer: Mailer = createMailer({
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
    outboxDir: path.join(config.dataDir, 'outbox'),
    logger,
    logLinks: config.env !== 'production',
  });
  const accountMail = new AccountMail({
    db: database.db,
    mailer,
    accounts: usersRepository,
    settings: { publicBaseUrl: config.publicBaseUrl, ...config.accountRecovery },
  });
  // TOTP seeds are sealed under DATA_ENCRYPTION_KEY (generated into DATA_DIR only for PGlite).
  const encryption = resolveDataEncryption(config.dataEncryption, {
    dataDir: config.dataDir,
    embedded: !config.databaseUrl,
  });
  if (!encryption) {
    logger.warn('DATA_ENCRYPTION_KEY is not set: two-factor sign-in cannot be enrolled');
  }
  const totp = new TotpFactor({ db: database.db, encryption, issuer: 'NXG Connect' });
  const throttle = new LoginThrottle(database.db, config.loginThrottle);
  const auth = new AuthService({
    db: database.db,
    revocations,
    logger,
    tokens,
    hasher: new PasswordHasher(config.bcryptCost),
    throttle,
    refreshTokenTtlSeconds: config.jwt.refreshTokenTtlSeconds,
    refreshFamilyLifetimeSeconds: config.jwt.refreshFamilyLifetimeSeconds,
    accounts: usersRepository,
    users: new UserPresenter(gymFloor.branches),
    events,
    totp,
    mail: accountMail,
    mfa: config.mfa,
    reauthWindowSeconds: config.reauthWindowSeconds,
  });
  const emailVerification = new EmailVerification({
    db: database.db,
    accounts: usersRepository,
    mail: accountMail,
  });
  const twoFactor = new TwoFactorService({
    db: database.db,
    auth,
    totp,
    throttle,
    mail: accountMail,
    accountOf: (userId) => usersRepository.findById(database.db, userId),
  });
  const integrations = createIntegrations({
    config: config.integrations,
    kv,
    registry: metrics.registry,
    logger,
    resilience: parts.resilience,
  });
  const workouts = new WorkoutsService({
    db: database.db,
    accounts: usersRepository,
    kv,
    logger,
    planningService: integrations.workoutPlanning,
  });
  const workoutLogs = new WorkoutLogsService({
    db: database.db,
    memberWrites,
    logger,
    realtime,
    presence: gymFloor.presence,
    timeZones: memberTimeZones,
    plans: {
      async activePlanOf(userId) {
        const plan = await workouts.findActivePlan(userId);
        return plan && { ...plan, workoutDays: plan.effectivePlanData.workoutDays };
      },
    },
    events,
  });
  const workoutLogTransfer = new WorkoutLogTransferService({
    db: database.db,
    importer: workoutLogs,
    exercises: workouts,
    timeZones: memberTimeZones,
    settings: {
      importMaxBytes: config.workoutImport.maxBytes,
      importMaxRows: config.workoutImport.maxRows,
      exportPageSize: EXPORT_PAGE_SIZE,
    },
  });
  const nutrition = new NutritionService({
    db: database.db,
    accounts: usersRepository,
    logger,
    planningService: integrations.nutritionPlanning,
    requestBudgetMs: config.integrations.requestBudgetMs,
  });
  const mealLogs = new MealLogsService({
    db: database.db,
    memberWrites,
    images: {
      claim: (tx, userId, imageId) => files.claim(tx, userId, imageId, 'meal-image'),
    },
    logger,
    events,
    timeZones: memberTimeZones,
    targets: nutrition,
  });
  const barcodes = new BarcodeLookupService({
    db: database.db,
    logger,
    openFoodFacts: integrations.openFoodFacts,
  });
  const rewards = new RewardsService({
    db: database.db,
    logger,
    notifier,
    timeZones: memberTimeZones,
    targets: nutrition,
  });
  // Points and achievements follow every log and meal change, in the writing transaction.
  events.on('workout-logs.changed', (event) => rewards.onWorkoutLogChanged(event));
  events.on('meal-logs.changed', (event) => rewards.onMealLogChanged(event));
  events.on('gym-floor.checked-in', ({ uow, ...checkIn }) => rewards.handleCheckIn(uow, checkIn));
  const social = new SocialService({
    db: database.db,
    logger,
    notifier,
    achievements: {
      describe(key) {
        const achievement = achievementOf(key);
        return (
          achievement && {
            title: achievement.title,
            description: achievement.description,
            points: achievement.points,
          }
        );
      },
    },
  });
  // Followers' feeds follow every log change and check-out, in the writing transaction.
  events.on('workout-logs.changed', (event) => social.onWorkoutLogChanged(event));
  events.on('gym-floor.checked-out', (event) => social.onCheckedOut(event));
  const leaderboard = new LeaderboardService({ db: database.db, branches: gymFloor.branches });
  events.on('gym-floor.membership-changing', (event) => leaderboard.onMembershipChanging(event));
  events.on('users.renamed', (event) => leaderboard.onRenamed(event));
  const users = new UsersService({
    db: database.db,
    events,
    memberships: gymFloor.branches,
    confirmations: auth,
    emailChanges: emailVerification,
    exporters: {
      sessions: auth,
      gymSessions: gymFloor.gymSessions,
      workoutLogs,
      mealLogs,
      points: { exportOf: (userId) => rewards.exportPoints(userId) },
      achievements: { exportOf: (userId) => rewards.exportAchievements(userId) },
      workoutPlans: workouts,
      dietPlans: nutrition,
      machineLinks: gymFloor.machines,
      notifications: { exportOf: (userId) => notifications.exportNotifications(userId) },
      pushDevices: { exportOf: (userId) => notifications.exportDevices(userId) },
      notificationPreferences: { exportOf: (userId) => notifications.preferences(userId) },
      social,
    },
  });

  const uploads = new UploadsService({
    db: database.db,
    files,
    images: new ImagePipeline(config.uploads),
    profiles: users,
  });

  const analytics = createAnalytics({
    db: database.db,
    logger,
    events,
    timeZones: memberTimeZones,
    plans: workouts,
    targets: nutrition,
    settings: config.analytics,
  });

  const reminders = new RemindersService({
    db: database.db,
    logger,
    notifier,
    trainingDays: workoutLogs,
    homeZones: {
      async lockHomeZone(tx, userId) {
        const account = await usersRepository.findByIdForUpdate(tx, userId);
        return account && (account.profile.timezone ?? 'UTC');
      },
    },
  });
  // Reminders keep their local times in the profile's zone, changed in the same transaction.
  events.on('users.timezone-changing', ({ tx, userId, timeZone }) =>
    reminders.followHomeZone(tx, userId, timeZone),
  );
  // A service reached over plain http (tests, development) may hand out http model URLs.
  const scanningBaseUrl = config.integrations.scanning?.baseUrl;
  const allowHttpModelUrl = scanningBaseUrl ? scanningAllowsHttp(scanningBaseUrl) : false;
  const webhookUrl = `${config.publicBaseUrl}/api/webhooks/scanning`;
  const scanProcessing = new ScanProcessing({
    db: database.db,
    logger,
    scanning: integrations.scanning,
    files,
    notifier,
    download: {
      maxBytes: config.scans.modelMaxBytes,
      timeoutMs: config.scans.modelDownloadTimeoutMs,
      allowHttp: allowHttpModelUrl,
    },
    // The contract takes https callbacks only, and unsigned ones would be refused anyway.
    callbackUrl:
      config.scans.webhookSecret && webhookUrl.startsWith('https://') ? webhookUrl : undefined,
  });
  const scans = new ScansService({
    db: database.db,
    logger,
    files,
    bodyComposition: users,
    members: {
      timezoneOf: (userId) => memberTimeZones.timezoneOf(userId),
      heightCmOf: async (userId) =>
        (await usersRepository.findById(database.db, userId))?.profile.demographics.heightCm ??
        null,
    },
    processing: scanProcessing,
    webhookSecret: config.scans.webhookSecret,
    allowHttpModelUrl,
  });

  const mealAnalysis = new MealAnalysisService({
    db: database.db,
    logger,
    files,
    detection: integrations.mealDetection,
    mealLogs,
    jobs,
    settings: config.mealAnalysis,
  });
  registerJobs(jobs, {
    logger,
    db: database.db,
    auth,
    accountMail,
    mailDispatchIntervalSeconds: config.mail.dispatchIntervalSeconds,
    workouts,
    nutrition,
    mealAnalysis,
    mealFeedbackRetryDelaySeconds: config.mealAnalysis.feedbackRetryDelaySeconds,
    gymFloor,
    analytics,
    reminders,
    reminderTickSeconds: config.reminderTickSeconds,
    files,
    scanProcessing,
    scanDispatchIntervalSeconds: config.scans.dispatchIntervalSeconds,
    notifications,
    push: config.push,
  });

  const authGuard = createAuthGuard({
    kv,
    revocations,
    tokens,
    logger,
    accounts: {
      async load(userId) {
        // Both at once: the first request after a change to the account waits one round trip.
        const [account, branches] = await Promise.all([
          usersRepository.findById(database.db, userId),
          gymFloor.branches.memberships(userId),
        ]);
        return account && { account, branches };
      },
    },
  });
  // Cached accounts hear every committed change to users and memberships, on every instance.
  const stopHearingChanges = listenForCommittedChanges(database.db, authGuard.onCommittedChanges);

  return {
    config,
    logger,
    database,
    kv,
    redis,
    tokens,
    authGuard,
    auth,
    emailVerification,
    twoFactor,
    accountMail,
    users,
    workouts,
    nutrition,
    mealLogs,
    mealAnalysis,
    barcodes,
    gymFloor,
    workoutLogs,
    workoutLogTransfer,
    rewards,
    leaderboard,
    analytics,
    events,
    realtime,
    socketFeatures: [
      machinesSocket(gymFloor, workoutLogs, logger),
      workoutsSocket(workoutLogs, logger),
    ],
    jobs,
    metrics,
    integrations,
    files,
    uploads,
    notifier,
    social,
    reminders,
    scans,
    scanProcessing,
    notifications,
    async close() {
      // Leave the process's own shutdown deadline (same setting) time to close the rest.
      await jobs.stop({ timeoutMs: Math.max(1_000, config.shutdownTimeoutMs - 2_000) });
      await realtime.close();
      mailer.close();
      stopHearingChanges();
      s3?.close();
      await notifications.close();
      await Promise.allSettled([kv.close(), database.close()]);
    },
  };
}
