// Background responses through the official `openai` npm SDK against a running Gantry gateway:
// `background: true` (queued → in_progress → completed, polled with retrieve), `cancel`, and
// `background: true` + `stream: true` resumed with `retrieve(id, {stream: true, starting_after})`
// after the first connection was closed. Every test runs once per backend dialect (openai,
// ollama). The simulator's text depends on the whole input (directives included), so each
// comparison with a blocking run uses the very same input.
// Run: GANTRY_BASE_URL=http://127.0.0.1:8800/v1 npm test   (see ../README.md)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { DIALECTS, TEST_TIMEOUT_MS, client, collectResponseEvents, rejection } from '../lib/gantry.mjs';

const opts = { timeout: TEST_TIMEOUT_MS };

const FINAL_STATUSES = ['completed', 'incomplete', 'failed', 'cancelled'];

/** Concatenated text of every output_text part of every message item in a response. */
function messageText(response) {
  let text = '';
  for (const item of response.output ?? []) {
    if (item.type !== 'message') continue;
    for (const part of item.content ?? []) if (part.type === 'output_text') text += part.text;
  }
  return text;
}

/**
 * Retrieves a response every `intervalMs` until `done(response)` holds; returns the last
 * response and every status seen (in order, repeats collapsed). Fails after `timeoutMs`.
 */
async function pollUntil(id, done, { intervalMs = 50, timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  const statuses = [];
  for (;;) {
    const res = await client.responses.retrieve(id);
    if (statuses.at(-1) !== res.status) statuses.push(res.status);
    if (done(res)) return { res, statuses };
    if (Date.now() > deadline) {
      throw new Error(
        `response ${id} did not get there in ${timeoutMs} ms; statuses: ${statuses.join(' → ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

for (const { dialect, model } of DIALECTS) {
  describe(`background responses, ${dialect} dialect (model ${model})`, () => {
    it('create returns queued; polling reaches completed with the blocking text', opts, async () => {
      const input = `Work on this in the background. sim:tokens=6 sim:delay=20`;
      const blocking = await client.responses.create({ model, input });
      assert.equal(blocking.status, 'completed');
      assert.ok(blocking.output_text.length > 0, 'blocking output_text must be non-empty');

      const created = await client.responses.create({ model, input, background: true });
      assert.equal(created.object, 'response');
      assert.equal(created.status, 'queued', JSON.stringify(created));
      assert.equal(created.background, true);
      assert.equal(created.model, model);
      assert.ok(typeof created.id === 'string' && created.id.length > 0, 'id must be non-empty');
      assert.notEqual(created.id, blocking.id);

      const { res: done, statuses } = await pollUntil(created.id, (r) =>
        FINAL_STATUSES.includes(r.status),
      );
      assert.equal(done.status, 'completed', `statuses seen: ${statuses.join(' → ')}`);
      assert.ok(
        statuses.every((s) => ['queued', 'in_progress', 'completed'].includes(s)),
        `unexpected status on the way: ${statuses.join(' → ')}`,
      );
      assert.equal(done.id, created.id);
      assert.equal(done.background, true);
      assert.equal(done.error, null);
      assert.equal(
        done.output_text,
        blocking.output_text,
        'background text must equal the blocking text',
      );
      assert.equal(done.output_text, messageText(done));
      assert.equal(done.usage?.output_tokens, 6, JSON.stringify(done.usage));

      // Cancelling a finished background response returns it unchanged.
      const cancelled = await client.responses.cancel(created.id);
      assert.equal(cancelled.status, 'completed', JSON.stringify(cancelled));
      assert.equal(messageText(cancelled), blocking.output_text);
      const after = await client.responses.retrieve(created.id);
      assert.equal(after.status, 'completed');
      assert.equal(after.output_text, blocking.output_text);
    });

    it('cancel while in_progress: cancelled, idempotent, retrieve agrees', opts, async () => {
      const created = await client.responses.create({
        model,
        input: 'A long job to cancel. sim:tokens=200 sim:delay=50',
        background: true,
      });
      assert.equal(created.status, 'queued');
      const { res: running, statuses } = await pollUntil(
        created.id,
        (r) => r.status !== 'queued',
        { intervalMs: 20 },
      );
      assert.equal(running.status, 'in_progress', `statuses seen: ${statuses.join(' → ')}`);

      const first = await client.responses.cancel(created.id);
      assert.equal(first.id, created.id);
      assert.equal(first.object, 'response');
      assert.equal(first.status, 'cancelled', JSON.stringify(first));
      assert.equal(first.background, true);

      const second = await client.responses.cancel(created.id);
      assert.equal(second.status, 'cancelled', JSON.stringify(second));
      assert.deepEqual(second, first, 'a second cancel must return the same response');

      const got = await client.responses.retrieve(created.id);
      assert.equal(got.status, 'cancelled');
      // The job stays cancelled: it does not go on to complete (200 tokens at 50 ms ≈ 10 s).
      await sleep(500);
      const later = await client.responses.retrieve(created.id);
      assert.equal(later.status, 'cancelled', JSON.stringify(later));
      assert.ok(
        (later.usage?.output_tokens ?? 0) < 200,
        `a cancelled job must not have generated everything: ${JSON.stringify(later.usage)}`,
      );
    });

    it('stream: leave after 6 events, resume with starting_after=5, text = blocking', opts, async () => {
      const input = 'Stream this in the background. sim:tokens=30 sim:delay=20';
      const blocking = await client.responses.create({ model, input });
      assert.equal(blocking.status, 'completed');

      const stream = await client.responses.create({ model, input, background: true, stream: true });
      const head = [];
      for await (const event of stream) {
        head.push(event);
        if (head.length === 6) break; // closes the connection; the response must run on
      }
      assert.deepEqual(
        head.map((e) => e.sequence_number),
        [0, 1, 2, 3, 4, 5],
        head.map((e) => `${e.sequence_number}:${e.type}`).join(', '),
      );
      assert.equal(head[0].type, 'response.created');
      assert.equal(head[0].response.status, 'queued');
      assert.equal(head[0].response.background, true);
      assert.equal(head[1].type, 'response.queued', head.map((e) => e.type).join(', '));
      assert.equal(head[1].response.status, 'queued');
      const id = head[0].response.id;
      assert.ok(typeof id === 'string' && id.length > 0, 'response.created must name the response');

      const resumed = await client.responses.retrieve(id, { stream: true, starting_after: 5 });
      const tail = await collectResponseEvents(resumed);
      assert.equal(tail.thrown, undefined, `iteration threw: ${tail.thrown}`);
      assert.ok(tail.events.length > 0, 'the resumed stream must carry events');
      assert.equal(tail.events[0].sequence_number, 6, tail.types.join(', '));
      assert.equal(tail.types.at(-1), 'response.completed', tail.types.join(', '));
      assert.ok(!tail.types.includes('error'), `unexpected error event: ${tail.types.join(', ')}`);

      // One contiguous sequence across both connections, each lifecycle event about this response.
      const all = [...head, ...tail.events];
      all.forEach((e, i) =>
        assert.equal(e.sequence_number, i, `event ${i} (${e.type}): ${e.sequence_number}`),
      );
      for (const e of all.filter((x) => x.response)) assert.equal(e.response.id, id, e.type);
      const types = all.map((e) => e.type);
      assert.ok(
        types.indexOf('response.queued') < types.indexOf('response.in_progress'),
        `queued must come before in_progress: ${types.join(', ')}`,
      );
      assert.equal(types.filter((t) => t === 'response.completed').length, 1, types.join(', '));

      const text = all
        .filter((e) => e.type === 'response.output_text.delta')
        .map((e) => e.delta)
        .join('');
      assert.equal(
        text,
        blocking.output_text,
        'deltas over both connections must equal the blocking text',
      );
      const completed = tail.events.at(-1).response;
      assert.equal(completed.status, 'completed');
      assert.equal(messageText(completed), blocking.output_text);

      const stored = await client.responses.retrieve(id);
      assert.equal(stored.status, 'completed');
      assert.equal(stored.output_text, blocking.output_text);
    });

    it('background: true with store: false is BadRequestError (400)', opts, async () => {
      const err = await rejection(() =>
        client.responses.create({
          model,
          input: 'Not stored. sim:tokens=3',
          background: true,
          store: false,
        }),
      );
      assert.ok(err instanceof OpenAI.BadRequestError, `expected BadRequestError, got ${err}`);
      assert.equal(err.status, 400);
      assert.equal(typeof err.error?.message, 'string');
    });

    it('cancel of a non-background response is BadRequestError (400)', opts, async () => {
      const res = await client.responses.create({ model, input: 'Done at once. sim:tokens=3' });
      assert.equal(res.status, 'completed');
      const err = await rejection(() => client.responses.cancel(res.id));
      assert.ok(err instanceof OpenAI.BadRequestError, `expected BadRequestError, got ${err}`);
      assert.equal(err.status, 400);
      assert.equal(typeof err.error?.message, 'string');
      const got = await client.responses.retrieve(res.id);
      assert.equal(got.status, 'completed', 'a refused cancel must leave the response alone');
      assert.equal(got.output_text, res.output_text);
    });
  });
}
