export {
  createJobRunner,
  jobType,
  type JobContext,
  type JobHandler,
  type JobPolicy,
  type JobRunner,
  type JobRunnerOptions,
  type JobSchema,
  type JobType,
  type SendOptions,
  type StopOptions,
} from './job-runner.js';
export { jobDatabaseOf, type JobDatabase } from './job-database.js';
