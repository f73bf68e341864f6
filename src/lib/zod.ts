import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Schemas import z from here so `.openapi()` is always available, whatever loads first.
extendZodWithOpenApi(z);

export { z };
