// `@fastify/http-proxy` forwarding the seed's route to the stand-in (bytes through, no JSON parse).
import Fastify from 'fastify';
import proxy from '@fastify/http-proxy';
import { API_KEY, REST_PATH, UPSTREAM_PATH } from '../lib/fixtures.mjs';
import { announce, fail, onShutdown, upstreamOrigin } from './child.mjs';

const app = Fastify({ logger: false });
await app.register(proxy, {
  upstream: upstreamOrigin(),
  prefix: REST_PATH,
  rewritePrefix: UPSTREAM_PATH,
  httpMethods: ['POST'],
  replyOptions: {
    rewriteRequestHeaders: (_req, headers) => ({ ...headers, 'x-auth-token': API_KEY }),
  },
});

app.listen({ port: 0, host: '127.0.0.1' }).then(
  () => announce({ http: app.server.address().port }),
  fail,
);
onShutdown(() => app.close());
