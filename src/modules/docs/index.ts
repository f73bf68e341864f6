// The API documentation as the app mounts it.
export {
  buildOpenApiDocument,
  docsRoutes,
  mountApiReference,
  serviceIndexRoutes,
} from './docs.routes.js';
export { buildAsyncApiDocument, type AsyncApiDocument } from './asyncapi.js';
