// The API documentation as the app mounts it.
export { buildOpenApiDocument, docsRoutes, mountApiReference } from './docs.routes.js';
