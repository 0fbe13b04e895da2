// The reference point: a hand-written fastify 5 + undici passthrough of the seed's call.
// It parses the JSON request, forwards it with the access token, parses the upstream JSON and
// re-serialises it, the way a careful engineer would write this one route by hand.
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { API_KEY, REST_PATH, UPSTREAM_PATH } from '../lib/fixtures.mjs';
import { announce, fail, onShutdown, upstreamOrigin } from './child.mjs';

const url = new URL(UPSTREAM_PATH, upstreamOrigin()).toString();
const dispatcher = new Agent({ keepAliveTimeout: 30_000 });

const app = Fastify({ logger: false });

app.post(REST_PATH, async (req, reply) => {
  const res = await request(url, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-auth-token': API_KEY },
    body: JSON.stringify(req.body),
  });
  const json = await res.body.json();
  reply.code(res.statusCode);
  return json;
});

app.listen({ port: 0, host: '127.0.0.1' }).then(
  () => announce({ http: app.server.address().port }),
  fail,
);
onShutdown(async () => {
  await app.close();
  await dispatcher.close();
});
