// The API documentation as the app mounts it.
export { buildOpenApiDocument, docsRoutes, mountSwaggerUi } from './docs.routes.js';
