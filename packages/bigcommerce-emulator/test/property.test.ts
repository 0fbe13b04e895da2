import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, startEmulator, verifyToken, type Emulator } from '../src/index.js';
import { expectRateLimitHeaders, mint } from './helpers.js';

describe('impersonation endpoint on arbitrary JSON bodies', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ rateLimit: { quota: 1_000_000 }, maxRecordedRequests: 0 });
  });
  afterAll(() => emu.close());

  it('answers 200 with a verifiable token or a 422 BaseError, never anything else', async () => {
    const field = fc.oneof(fc.integer({ min: -5, max: 3 }), fc.double(), fc.string(), fc.constant(null), fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }));
    const body = fc.oneof(
      fc.record({ expires_at: fc.oneof(field, fc.nat()), channel_id: field, channel_ids: field }, { requiredKeys: [] }),
      fc.record({ expires_at: fc.nat(), channel_ids: fc.constant([1]), extra: fc.jsonValue() }),
      fc.jsonValue(),
    );
    let ok = 0;
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const r = await mint(emu, JSON.stringify(value));
        expectRateLimitHeaders(r);
        if (r.status === 200) {
          ok++;
          expect(verifyToken(r.json.data.token, emu.publicKey)).toBe(true);
          const payload = decodeJwt(r.json.data.token).payload as { cid: number[]; eat: number };
          const input = value as { expires_at: number; channel_id?: number; channel_ids?: number[] };
          expect(payload.eat).toBe(input.expires_at);
          expect(payload.cid).toEqual([...new Set(input.channel_ids ?? [input.channel_id as number])]);
        } else {
          expect(r.status).toBe(422);
          expect(r.headers['content-type']).toBe('application/problem+json');
          expect(r.json).toMatchObject({ status: 422, type: expect.any(String), errors: expect.any(Object) });
          expect(typeof r.json.title).toBe('string');
        }
      }),
      { numRuns: 100 },
    );
    expect(ok).toBeGreaterThan(0);
  });
});
