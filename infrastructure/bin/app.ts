import { App } from 'aws-cdk-lib';
import { environmentNamed, environments } from '../lib/environments.js';
import { NxgStack } from '../lib/nxg-stack.js';

/**
 * `npm run infra:synth` synthesizes every environment offline (no AWS account needed: the
 * stacks are environment-agnostic); `-c env=prod` (or NXG_ENV) limits it to one.
 */
const app = new App();
const only = (app.node.tryGetContext('env') as string | undefined) ?? process.env.NXG_ENV;
const imageTag = (app.node.tryGetContext('imageTag') as string | undefined) ?? 'latest';
const selected = only ? [environmentNamed(only)] : Object.values(environments);
for (const config of selected) {
  new NxgStack(app, `NxgConnect-${config.name}`, { config, imageTag });
}
app.synth();
