/** Lambda entry for the HTTP API: the same Hono app as `npm start`, over the function's own role. */
import { handle } from 'hono/aws-lambda';
import { configFromEnv } from '#config/config';
import { createApp } from '#http/app';
import { openStores } from '#store/open';

// Built once per container, reused across invocations.
export const handler = handle(createApp(openStores(configFromEnv())));
