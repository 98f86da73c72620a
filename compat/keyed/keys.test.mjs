// The npm openai SDK against a Gantry with API keys: allowed and forbidden models, the filtered
// model list, a bad key, RPM exhaustion with Retry-After (honoured by the SDK's own retry), and a
// spent token budget. Run from JUnit (io.gantry.govern.NodeKeysSuiteTest), which starts a private
// Gantry, creates the keys through the admin API and passes them in the environment:
//   GANTRY_BASE_URL, GANTRY_KEY (allowed: GANTRY_ALLOWED_MODEL only), GANTRY_FORBIDDEN_MODEL,
//   GANTRY_RPM_KEY (rpm 60), GANTRY_BUDGET_KEY (a small daily budget).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const BASE_URL = process.env.GANTRY_BASE_URL;
const ALLOWED = process.env.GANTRY_ALLOWED_MODEL;
const FORBIDDEN = process.env.GANTRY_FORBIDDEN_MODEL;
const opts = { timeout: 60_000 };

const client = (apiKey, maxRetries = 0) => new OpenAI({ baseURL: BASE_URL, apiKey, maxRetries });
const hello = (model) => ({ model, messages: [{ role: 'user', content: 'hello' }] });

describe('keys with the npm SDK', () => {
  it('uses an allowed model', opts, async () => {
    const completion = await client(process.env.GANTRY_KEY).chat.completions.create(hello(ALLOWED));
    assert.ok(completion.choices.length > 0);
  });

  it('is refused a forbidden model with 403 model_not_allowed', opts, async () => {
    await assert.rejects(
      client(process.env.GANTRY_KEY).chat.completions.create(hello(FORBIDDEN)),
      (err) => {
        assert.ok(err instanceof OpenAI.PermissionDeniedError, String(err));
        assert.equal(err.status, 403);
        assert.equal(err.code, 'model_not_allowed');
        assert.match(err.message, new RegExp(FORBIDDEN));
        return true;
      },
    );
  });

  it('lists only the allowed models', opts, async () => {
    const ids = [];
    for await (const model of client(process.env.GANTRY_KEY).models.list()) {
      ids.push(model.id);
    }
    assert.ok(ids.includes(ALLOWED), ids.join(','));
    assert.ok(!ids.includes(FORBIDDEN), ids.join(','));
  });

  it('gets 401 invalid_api_key for a bad key, without the key in the message', opts, async () => {
    const bad = 'sk-gantry-not-a-real-key-0000000000000000';
    await assert.rejects(client(bad).chat.completions.create(hello(ALLOWED)), (err) => {
      assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
      assert.equal(err.code, 'invalid_api_key');
      assert.ok(!err.message.includes(bad));
      return true;
    });
  });

  it('meets 429 with Retry-After when RPM is spent, and the SDK retry succeeds', opts, async () => {
    const noRetry = client(process.env.GANTRY_RPM_KEY);
    let refused;
    for (let i = 0; i < 100 && !refused; i++) {
      try {
        await noRetry.chat.completions.create(hello(ALLOWED));
      } catch (err) {
        refused = err;
      }
    }
    assert.ok(refused instanceof OpenAI.RateLimitError, String(refused));
    assert.equal(refused.code, 'rate_limit_exceeded');
    assert.match(refused.message, /try again in/);
    assert.equal(refused.headers.get('x-ratelimit-limit-requests'), '60');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    // The SDK waits for Retry-After itself before retrying.
    const completion = await client(process.env.GANTRY_RPM_KEY, 3).chat.completions.create(
      hello(ALLOWED),
    );
    assert.ok(completion.choices.length > 0);
  });

  it('meets 429 insufficient_quota once the token budget is spent', opts, async () => {
    const budget = client(process.env.GANTRY_BUDGET_KEY);
    let refused;
    for (let i = 0; i < 40 && !refused; i++) {
      try {
        await budget.chat.completions.create(hello(ALLOWED));
      } catch (err) {
        refused = err;
      }
    }
    assert.ok(refused instanceof OpenAI.RateLimitError, String(refused));
    assert.equal(refused.code, 'insufficient_quota');
  });
});
