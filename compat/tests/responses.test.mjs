// Responses API compatibility tests: the official `openai` npm SDK (client.responses.*) against a
// running Gantry gateway. Every test runs once per backend dialect (openai, ollama) behind the
// gateway; Gantry translates the Responses API onto the backend's chat API and stores responses.
// Run: GANTRY_BASE_URL=http://127.0.0.1:8800/v1 npm test   (see ../README.md)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import {
  DIALECTS,
  RESPONSES_WEATHER_TOOL,
  TEST_TIMEOUT_MS,
  client,
  collectResponseEvents,
  parseJson,
  rejection,
} from '../lib/gantry.mjs';

const opts = { timeout: TEST_TIMEOUT_MS };

const TERMINAL_EVENTS = ['response.completed', 'response.incomplete', 'response.failed'];

/** Concatenated text of every output_text part of every message item in a response. */
function messageText(response) {
  let text = '';
  for (const item of response.output ?? []) {
    if (item.type !== 'message') continue;
    for (const part of item.content ?? []) if (part.type === 'output_text') text += part.text;
  }
  return text;
}

/** Lines of a `sim:history` reply ("role: text" per message the backend received). */
function historyLines(text) {
  return text.split('\n').filter((line) => line.trim() !== '');
}

function assertUsage(usage, what) {
  assert.ok(usage, `${what}: usage must be present`);
  assert.equal(typeof usage.input_tokens, 'number', JSON.stringify(usage));
  assert.equal(typeof usage.output_tokens, 'number', JSON.stringify(usage));
  assert.ok(usage.input_tokens > 0, `${what}: input_tokens must be > 0: ${JSON.stringify(usage)}`);
  assert.ok(usage.output_tokens > 0, `${what}: output_tokens must be > 0: ${JSON.stringify(usage)}`);
  assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens, JSON.stringify(usage));
}

/**
 * The event-order contract of a successful or incomplete stream: response.created first, the
 * given terminal event last (and only once), sequence_number starting at 0 and strictly
 * increasing, every lifecycle event about the same response.
 */
function assertStreamShape(events, terminal) {
  const types = events.map((e) => e.type);
  assert.ok(events.length >= 3, `too few events: ${types.join(', ')}`);
  assert.equal(types[0], 'response.created', `first event: ${types.join(', ')}`);
  assert.equal(types.at(-1), terminal, `last event: ${types.join(', ')}`);
  assert.equal(
    types.filter((t) => TERMINAL_EVENTS.includes(t)).length,
    1,
    `exactly one terminal event expected: ${types.join(', ')}`,
  );
  assert.ok(!types.includes('error'), `unexpected error event: ${JSON.stringify(events.at(-1))}`);

  const seq = events.map((e) => e.sequence_number);
  assert.equal(seq[0], 0, `sequence_number must start at 0: ${seq.join(',')}`);
  for (let i = 1; i < seq.length; i++) {
    assert.equal(typeof seq[i], 'number', `event ${i} (${types[i]}) lacks sequence_number`);
    assert.ok(seq[i] > seq[i - 1], `sequence_number not strictly increasing at ${i}: ${seq.join(',')}`);
  }

  const ids = new Set(events.filter((e) => e.response).map((e) => e.response.id));
  assert.equal(ids.size, 1, `lifecycle events name different responses: ${[...ids]}`);
  assert.equal(events[0].response.status, 'in_progress');
}

/** Asserts a function_call output item for get_weather; returns it. */
function assertWeatherCall(item) {
  assert.ok(item, 'expected a function_call output item');
  assert.equal(item.type, 'function_call', JSON.stringify(item));
  assert.equal(item.name, 'get_weather');
  assert.ok(typeof item.call_id === 'string' && item.call_id.length > 0, 'call_id must be non-empty');
  const args = parseJson(item.arguments, 'get_weather arguments');
  assert.ok(args !== null && typeof args === 'object' && !Array.isArray(args), item.arguments);
  assert.equal(typeof args.location, 'string', `location must be a string: ${item.arguments}`);
  return item;
}

for (const { dialect, model } of DIALECTS) {
  describe(`responses, ${dialect} dialect (model ${model})`, () => {
    it('create (blocking): completed, output_text, usage', opts, async () => {
      const res = await client.responses.create({ model, input: 'Say something. sim:tokens=5' });
      assert.equal(typeof res.id, 'string');
      assert.ok(res.id.length > 0, 'id must be non-empty');
      assert.equal(res.object, 'response');
      assert.equal(res.status, 'completed');
      assert.equal(res.model, model);
      assert.equal(res.error, null);
      assert.equal(typeof res.output_text, 'string');
      assert.ok(res.output_text.length > 0, 'output_text must be non-empty');
      assert.equal(res.output_text, messageText(res));
      const messages = res.output.filter((o) => o.type === 'message');
      assert.equal(messages.length, 1, JSON.stringify(res.output));
      assert.equal(messages[0].role, 'assistant');
      assertUsage(res.usage, 'create');
      assert.equal(res.usage.output_tokens, 5);
    });

    it('responses.stream(): event order, sequence numbers, finalResponse = deltas', opts, async () => {
      const stream = client.responses.stream({ model, input: 'Tell me a story. sim:tokens=8' });
      const s = await collectResponseEvents(stream);
      assert.equal(s.thrown, undefined, `iteration threw: ${s.thrown}`);
      assertStreamShape(s.events, 'response.completed');
      assert.ok(
        s.types.filter((t) => t === 'response.output_text.delta').length > 1,
        `expected several text deltas: ${s.types.join(', ')}`,
      );

      const final = await stream.finalResponse();
      assert.equal(final.status, 'completed');
      assert.ok(s.text.length > 0, 'deltas must carry text');
      assert.equal(final.output_text, s.text);
      assert.equal(final.id, s.events[0].response.id);
      assertUsage(final.usage, 'finalResponse');
      assert.equal(final.usage.output_tokens, 8);
    });

    it('create({stream: true}): event order, sequence numbers, text = blocking', opts, async () => {
      const request = { model, input: 'Tell me another story. sim:tokens=8' };
      const blocking = await client.responses.create(request);

      const stream = await client.responses.create({ ...request, stream: true });
      const s = await collectResponseEvents(stream);
      assert.equal(s.thrown, undefined, `iteration threw: ${s.thrown}`);
      assertStreamShape(s.events, 'response.completed');

      const completed = s.events.at(-1).response;
      assert.equal(completed.status, 'completed');
      assert.equal(s.text, messageText(completed));
      assert.equal(s.text, blocking.output_text, 'streamed text must equal the blocking text');
      assertUsage(completed.usage, 'response.completed');

      // Items open before they close, and text deltas belong to an open message item.
      const added = s.types.indexOf('response.output_item.added');
      const firstDelta = s.types.indexOf('response.output_text.delta');
      const done = s.types.lastIndexOf('response.output_item.done');
      assert.ok(added >= 0 && added < firstDelta && firstDelta < done, s.types.join(', '));
    });

    it('retrieve returns the same id and text', opts, async () => {
      const created = await client.responses.create({ model, input: 'Remember me. sim:tokens=6' });
      const got = await client.responses.retrieve(created.id);
      assert.equal(got.id, created.id);
      assert.equal(got.object, 'response');
      assert.equal(got.status, 'completed');
      assert.equal(got.model, model);
      assert.equal(got.output_text, created.output_text);
      assert.ok(got.output_text.length > 0);
    });

    it('inputItems.list returns the input message (and pages with limit)', opts, async () => {
      const text = 'List my input. sim:tokens=2';
      const created = await client.responses.create({ model, input: text });
      const page = await client.responses.inputItems.list(created.id);
      assert.equal(page.data.length, 1, JSON.stringify(page.data));
      const [item] = page.data;
      assert.equal(item.type, 'message');
      assert.equal(item.role, 'user');
      assert.ok(typeof item.id === 'string' && item.id.length > 0, 'input item id must be non-empty');
      assert.deepEqual(
        item.content.map((c) => [c.type, c.text]),
        [['input_text', text]],
        JSON.stringify(item.content),
      );

      // Three input items: newest first by default (order=desc), oldest first with order=asc,
      // and the SDK's auto-pagination (cursor `after`) walks a limit=1 listing to the end.
      const multi = await client.responses.create({
        model,
        input: [
          { role: 'user', content: 'one' },
          { role: 'assistant', content: 'two' },
          { role: 'user', content: 'three sim:tokens=2' },
        ],
      });
      const textOf = (i) => i.content.map((c) => c.text).join('');
      const desc = [];
      for await (const i of client.responses.inputItems.list(multi.id, { limit: 1 })) {
        desc.push(textOf(i));
      }
      assert.deepEqual(desc, ['three sim:tokens=2', 'two', 'one']);
      const asc = await client.responses.inputItems.list(multi.id, { order: 'asc' });
      assert.deepEqual(asc.data.map(textOf), ['one', 'two', 'three sim:tokens=2']);
    });

    it('delete, then retrieve rejects with NotFoundError (404)', opts, async () => {
      const created = await client.responses.create({ model, input: 'Forget me. sim:tokens=2' });
      await client.responses.delete(created.id);
      const err = await rejection(() => client.responses.retrieve(created.id));
      assert.ok(err instanceof OpenAI.NotFoundError, `expected NotFoundError, got ${err}`);
      assert.equal(err.status, 404);
      const again = await rejection(() => client.responses.delete(created.id));
      assert.ok(again instanceof OpenAI.NotFoundError, `second delete: expected 404, got ${again}`);
    });

    it('previous_response_id: a 3-turn chain reaches the backend in order', opts, async () => {
      const t1 = 'Turn one: alpha. sim:tokens=3';
      const t2 = 'Turn two: bravo. sim:tokens=3';
      const t3 = 'Turn three: charlie. sim:history';
      const r1 = await client.responses.create({ model, input: t1 });
      const r2 = await client.responses.create({ model, input: t2, previous_response_id: r1.id });
      const r3 = await client.responses.create({ model, input: t3, previous_response_id: r2.id });
      assert.equal(r2.previous_response_id, r1.id);
      assert.equal(r3.previous_response_id, r2.id);
      assert.equal(r3.status, 'completed');
      assert.deepEqual(historyLines(r3.output_text), [
        `user: ${t1}`,
        `assistant: ${r1.output_text}`,
        `user: ${t2}`,
        `assistant: ${r2.output_text}`,
        `user: ${t3}`,
      ]);
    });

    it('previous_response_id: instructions are not carried over', opts, async () => {
      // Documented: "When using along with previous_response_id, the instructions from a
      // previous response will not be carried over to the next response."
      const r1 = await client.responses.create({
        model,
        instructions: 'First instructions: be brief.',
        input: 'alpha sim:tokens=2',
      });
      const r2 = await client.responses.create({
        model,
        instructions: 'Second instructions: be kind.',
        input: 'bravo sim:history',
        previous_response_id: r1.id,
      });
      assert.equal(r2.instructions, 'Second instructions: be kind.');
      const lines = historyLines(r2.output_text);
      assert.ok(!lines.some((l) => l.includes('First instructions')), lines.join('\n'));
      const instr = lines.filter((l) => l.includes('Second instructions: be kind.'));
      assert.equal(instr.length, 1, lines.join('\n'));
      assert.match(instr[0], /^(system|developer): /, lines.join('\n'));
      assert.deepEqual(
        lines.filter((l) => !/^(system|developer): /.test(l)),
        ['user: alpha sim:tokens=2', `assistant: ${r1.output_text}`, 'user: bravo sim:history'],
      );
    });

    it('function tool round trip: function_call_output via previous_response_id', opts, async () => {
      const first = await client.responses.create({
        model,
        input: 'What is the weather in Paris? sim:tool=get_weather',
        tools: [RESPONSES_WEATHER_TOOL],
      });
      assert.equal(first.status, 'completed');
      const calls = first.output.filter((o) => o.type === 'function_call');
      assert.equal(calls.length, 1, JSON.stringify(first.output));
      const call = assertWeatherCall(calls[0]);

      const second = await client.responses.create({
        model,
        previous_response_id: first.id,
        tools: [RESPONSES_WEATHER_TOOL],
        input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temp":21}' }],
      });
      assert.equal(second.status, 'completed');
      assert.equal(second.output.filter((o) => o.type === 'function_call').length, 0);
      assert.ok(
        second.output_text.includes('{"temp":21}'),
        `answer must quote the tool output: ${second.output_text}`,
      );
    });

    it('function call streaming: stream helper assembles the function_call item', opts, async () => {
      const stream = client.responses.stream({
        model,
        input: 'Weather in Oslo? sim:tool=get_weather',
        tools: [RESPONSES_WEATHER_TOOL],
      });
      const s = await collectResponseEvents(stream);
      assert.equal(s.thrown, undefined, `iteration threw: ${s.thrown}`);
      assertStreamShape(s.events, 'response.completed');
      const argDeltas = s.events
        .filter((e) => e.type === 'response.function_call_arguments.delta')
        .map((e) => e.delta)
        .join('');
      const argsDone = s.events.find((e) => e.type === 'response.function_call_arguments.done');
      assert.ok(argsDone, `no function_call_arguments.done: ${s.types.join(', ')}`);
      assert.equal(argDeltas, argsDone.arguments);

      const final = await stream.finalResponse();
      const calls = final.output.filter((o) => o.type === 'function_call');
      assert.equal(calls.length, 1, JSON.stringify(final.output));
      assertWeatherCall(calls[0]);
      assert.equal(calls[0].arguments, argsDone.arguments);
    });

    it('store: false is answered but not retrievable (404)', opts, async () => {
      const res = await client.responses.create({
        model,
        input: 'Ephemeral. sim:tokens=3',
        store: false,
      });
      assert.equal(res.status, 'completed');
      assert.equal(res.store, false);
      assert.ok(res.output_text.length > 0);
      const err = await rejection(() => client.responses.retrieve(res.id));
      assert.ok(err instanceof OpenAI.NotFoundError, `expected NotFoundError, got ${err}`);
      assert.equal(err.status, 404);
    });

    it('max_output_tokens: 5 with sim:tokens=50 is incomplete (max_output_tokens)', opts, async () => {
      const request = { model, input: 'Talk for a while. sim:tokens=50', max_output_tokens: 5 };
      const res = await client.responses.create(request);
      assert.equal(res.status, 'incomplete');
      assert.equal(
        res.incomplete_details?.reason,
        'max_output_tokens',
        JSON.stringify(res.incomplete_details),
      );
      assert.equal(res.max_output_tokens, 5);
      assert.equal(res.usage?.output_tokens, 5, JSON.stringify(res.usage));

      const stream = await client.responses.create({ ...request, stream: true });
      const s = await collectResponseEvents(stream);
      assert.equal(s.thrown, undefined, `iteration threw: ${s.thrown}`);
      assertStreamShape(s.events, 'response.incomplete');
      const last = s.events.at(-1).response;
      assert.equal(last.status, 'incomplete');
      assert.equal(last.incomplete_details?.reason, 'max_output_tokens');
      assert.equal(s.text, messageText(last));
    });

    it('inputTokens.count returns a positive count', opts, async () => {
      const res = await client.responses.inputTokens.count({ model, input: 'How many tokens?' });
      assert.equal(res.object, 'response.input_tokens');
      assert.ok(Number.isInteger(res.input_tokens) && res.input_tokens > 0, JSON.stringify(res));
    });

    describe('backend dies mid-stream (sim:fail=cut-after:3)', () => {
      const input = 'Keep going. sim:tokens=20 sim:fail=cut-after:3';

      /** response.failed (with an error) then an `error` event end the stream; nothing completes. */
      function assertFailedTail(s) {
        assert.equal(s.types[0], 'response.created', s.types.join(', '));
        assert.ok(!s.types.includes('response.completed'), `must not complete: ${s.types.join(', ')}`);
        assert.deepEqual(s.types.slice(-2), ['response.failed', 'error'], s.types.join(', '));
        const failed = s.events.at(-2).response;
        assert.equal(failed.status, 'failed');
        assert.ok(failed.error, 'response.failed must carry response.error');
        assert.equal(typeof failed.error.message, 'string');
        assert.ok(failed.error.message.length > 0);
        const error = s.events.at(-1);
        assert.equal(typeof error.message, 'string', JSON.stringify(error));
        assert.ok(error.message.length > 0);
        const seq = s.events.map((e) => e.sequence_number);
        assert.equal(seq[0], 0);
        for (let i = 1; i < seq.length; i++) assert.ok(seq[i] > seq[i - 1], seq.join(','));
        // Whatever output the failed response carries must agree with the deltas that arrived.
        const kept = messageText(failed);
        assert.ok(
          kept === '' || kept === s.text,
          `failed output ${JSON.stringify(kept)} vs deltas ${JSON.stringify(s.text)}`,
        );
      }

      it('create({stream: true}) yields response.failed then error', opts, async () => {
        const stream = await client.responses.create({ model, input, stream: true });
        const s = await collectResponseEvents(stream);
        // openai-node yields both events (the error event has no `error` member, so the SSE
        // decoder does not throw); the failure is visible as the last two events.
        assert.equal(s.thrown, undefined, `iteration threw: ${s.thrown}`);
        assertFailedTail(s);
        // The stored response records the failure.
        const stored = await client.responses.retrieve(s.events[0].response.id);
        assert.equal(stored.status, 'failed');
        assert.ok(stored.error?.message, `stored error: ${JSON.stringify(stored.error)}`);
      });

      it('responses.stream(): events seen, finalResponse() rejects with the error', opts, async () => {
        const stream = client.responses.stream({ model, input });
        const s = await collectResponseEvents(stream);
        assert.equal(s.thrown, undefined, `iteration threw: ${s.thrown}`);
        assertFailedTail(s);
        // The helper treats the `error` event as the stream's error: finalResponse() rejects
        // with that event (a plain object, not an Error instance).
        const err = await rejection(() => stream.finalResponse());
        assert.equal(err?.type, 'error', `unexpected rejection: ${JSON.stringify(err) ?? err}`);
        assert.equal(err.message, s.events.at(-1).message);
      });
    });
  });
}

describe('responses, gateway', () => {
  it('retrieve of an unknown id is NotFoundError (404)', opts, async () => {
    const err = await rejection(() => client.responses.retrieve('resp_gantry_compat_no_such_id'));
    assert.ok(err instanceof OpenAI.NotFoundError, `expected NotFoundError, got ${err}`);
    assert.equal(err.status, 404);
    assert.equal(typeof err.error?.message, 'string');
  });
});
