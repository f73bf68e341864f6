import type { Agent } from 'node:https';
import { FcmPushGateway } from './fcm-push-gateway.js';
import type { PushConfig } from '../../config/push.config.js';
import type { PushGateways } from './push-gateway.js';
import { WebPushGateway } from './web-push-gateway.js';

/**
 * The gateways the configuration enables: FCM for ios and android with a service account, Web
 * Push for web with a VAPID key pair. None in the embedded default: notifications then reach
 * the inbox and sockets only.
 */
export function createPushGateways(config: PushConfig, options: { webPushAgent?: Agent } = {}) {
  const gateways: PushGateways = {};
  if (config.firebase) {
    const fcm = FcmPushGateway.fromServiceAccount(config.firebase);
    gateways.ios = fcm;
    gateways.android = fcm;
  }
  if (config.vapid) gateways.web = new WebPushGateway(config.vapid, options.webPushAgent);
  return gateways;
}
