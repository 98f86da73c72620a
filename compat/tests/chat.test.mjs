// OpenAI npm SDK compatibility tests against a running Gantry gateway.
// Every chat test runs once per backend dialect (openai, ollama) behind the gateway.
// Run: GANTRY_BASE_URL=http://127.0.0.1:8800/v1 npm test   (see ../README.md)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import {
  DIALECTS,
  OLLAMA_MODEL,
  TEST_TIMEOUT_MS,
  TIME_TOOL,
  WEATHER_TOOL,
  client,
  collectStream,
  norm,
  parseJson,
  rawFetch,
  rejection,
  user,
} from '../lib/gantry.mjs';

const opts = { timeout: TEST_TIMEOUT_MS };

/** Asserts a tool call's arguments satisfy get_weather's schema; returns the parsed object. */
function assertWeatherArgs(args) {
  const parsed = parseJson(args, 'get_weather arguments');
  assert.equal(typeof parsed, 'object', `arguments must be a JSON object: ${args}`);
  assert.ok(parsed !== null && !Array.isArray(parsed), `arguments must be a JSON object: ${args}`);
  assert.equal(typeof parsed.location, 'string', `location must be a string: ${args}`);
  if ('unit' in parsed) assert.ok(['c', 'f'].includes(parsed.unit), `unit must be c or f: ${args}`);
  return parsed;
}

for (const { dialect, model } of DIALECTS) {
  describe(`${dialect} dialect (model ${model})`, () => {
    it('chat blocking: sim:tokens=5', opts, async () => {
      const res = await client.chat.completions.create({
        model,
        messages: user('Say something. sim:tokens=5'),
      });
      assert.equal(typeof res.id, 'string');
      assert.ok(res.id.length > 0, 'id must be non-empty');
      assert.equal(res.object, 'chat.completion');
      assert.equal(typeof res.created, 'number');
      assert.equal(res.choices.length, 1);
      const [choice] = res.choices;
      assert.equal(choice.index, 0);
      assert.equal(choice.message.role, 'assistant');
      assert.equal(typeof choice.message.content, 'string');
      assert.ok(choice.message.content.length > 0, 'content must be non-empty');
      assert.equal(choice.finish_reason, 'stop');
      assert.ok(res.usage, 'usage must be present');
      assert.equal(res.usage.completion_tokens, 5);
      assert.equal(typeof res.usage.prompt_tokens, 'number');
      assert.equal(res.usage.total_tokens, res.usage.prompt_tokens + res.usage.completion_tokens);
    });

    it('chat blocking: max_tokens caps the reply with finish_reason length', opts, async () => {
      const res = await client.chat.completions.create({
        model,
        messages: user('Talk for a while. sim:tokens=20'),
        max_tokens: 3,
      });
      assert.equal(res.choices[0].finish_reason, 'length');
      assert.equal(res.usage.completion_tokens, 3);
    });

    it('chat streaming equals blocking, usage in last chunk', opts, async () => {
      const request = { model, messages: user('Tell me a story. sim:tokens=8') };
      const blocking = await client.chat.completions.create(request);

      const stream = await client.chat.completions.create({
        ...request,
        stream: true,
        stream_options: { include_usage: true },
      });
      const s = await collectStream(stream);

      assert.ok(s.chunks.length > 1, `expected several chunks, got ${s.chunks.length}`);
      for (const chunk of s.chunks) {
        assert.equal(chunk.object, 'chat.completion.chunk', JSON.stringify(chunk));
        assert.equal(typeof chunk.id, 'string');
      }
      const ids = new Set(s.chunks.map((c) => c.id));
      assert.equal(ids.size, 1, `all chunks must share one id, got ${[...ids]}`);
      assert.equal(s.role, 'assistant');
      assert.equal(s.content, blocking.choices[0].message.content);
      assert.deepEqual(s.finishReasons, ['stop'], 'exactly one chunk must carry finish_reason');

      const last = s.chunks.at(-1);
      assert.ok(last.usage, `last chunk must carry usage: ${JSON.stringify(last)}`);
      assert.equal(last.usage.completion_tokens, 8);
      assert.equal(
        last.usage.total_tokens,
        last.usage.prompt_tokens + last.usage.completion_tokens,
      );
    });

    it('sim:echo returns the user text verbatim', opts, async () => {
      const text = 'Echo this back: "héllo, wörld" — 42 & <b>ok</b> 🚀 sim:echo';
      const res = await client.chat.completions.create({ model, messages: user(text) });
      assert.equal(res.choices[0].message.content, text);
      assert.equal(res.choices[0].finish_reason, 'stop');
    });

    it('tool call streaming: sim:tool=get_weather', opts, async () => {
      const stream = await client.chat.completions.create({
        model,
        messages: user('What is the weather in Paris? sim:tool=get_weather'),
        tools: [WEATHER_TOOL],
        stream: true,
      });
      const s = await collectStream(stream);

      assert.equal(s.toolCalls.length, 1, `expected one tool call: ${JSON.stringify(s.toolCalls)}`);
      const [call] = s.toolCalls;
      assert.equal(call.index, 0);
      assert.equal(typeof call.id, 'string');
      assert.ok(call.id.length > 0, 'tool call id must be non-empty');
      assert.equal(call.type, 'function');
      assert.equal(call.function.name, 'get_weather');
      assertWeatherArgs(call.function.arguments);
      assert.deepEqual(s.finishReasons, ['tool_calls']);
    });

    it('tool call via the SDK stream helper (finalChatCompletion)', opts, async () => {
      const runner = client.chat.completions.stream({
        model,
        messages: user('What is the weather in Oslo? sim:tool=get_weather'),
        tools: [WEATHER_TOOL],
      });
      const final = await runner.finalChatCompletion();
      const [choice] = final.choices;
      assert.equal(choice.finish_reason, 'tool_calls');
      assert.equal(choice.message.tool_calls?.length, 1);
      assert.equal(choice.message.tool_calls[0].function.name, 'get_weather');
      assertWeatherArgs(choice.message.tool_calls[0].function.arguments);
    });

    it('parallel tool calls, blocking: sim:tools=3', opts, async () => {
      const res = await client.chat.completions.create({
        model,
        messages: user('Weather and time in three cities. sim:tools=3'),
        tools: [WEATHER_TOOL, TIME_TOOL],
      });
      const [choice] = res.choices;
      assert.equal(choice.finish_reason, 'tool_calls');
      const calls = choice.message.tool_calls ?? [];
      assert.equal(calls.length, 3, `expected 3 tool calls: ${JSON.stringify(calls)}`);
      assert.equal(new Set(calls.map((c) => c.id)).size, 3, 'tool call ids must be distinct');
      for (const c of calls) {
        assert.ok(typeof c.id === 'string' && c.id.length > 0, 'tool call id must be non-empty');
        assert.equal(c.type, 'function');
        assert.ok(['get_weather', 'get_time'].includes(c.function.name), c.function.name);
        parseJson(c.function.arguments, `${c.function.name} arguments`);
      }
    });

    it('parallel tool calls, streaming: sim:tools=3', opts, async () => {
      const stream = await client.chat.completions.create({
        model,
        messages: user('Weather and time in three cities. sim:tools=3'),
        tools: [WEATHER_TOOL, TIME_TOOL],
        stream: true,
      });
      const s = await collectStream(stream);
      assert.deepEqual(
        s.toolCalls.map((c) => c.index),
        [0, 1, 2],
        `expected tool call indexes 0,1,2: ${JSON.stringify(s.toolCalls)}`,
      );
      assert.equal(new Set(s.toolCalls.map((c) => c.id)).size, 3, 'tool call ids must be distinct');
      for (const c of s.toolCalls) {
        assert.ok(c.id.length > 0, 'tool call id must be non-empty');
        assert.ok(['get_weather', 'get_time'].includes(c.function.name), c.function.name);
        parseJson(c.function.arguments, `${c.function.name} arguments`);
      }
      assert.deepEqual(s.finishReasons, ['tool_calls']);
    });

    it('tool round trip: the tool result reaches the answer', opts, async () => {
      const messages = user('What is the weather in Rome? sim:tool=get_weather');
      const first = await client.chat.completions.create({ model, messages, tools: [WEATHER_TOOL] });
      const assistant = first.choices[0].message;
      assert.equal(assistant.tool_calls?.length, 1, JSON.stringify(assistant));
      const call = assistant.tool_calls[0];

      const second = await client.chat.completions.create({
        model,
        tools: [WEATHER_TOOL],
        messages: [
          ...messages,
          { role: 'assistant', content: assistant.content ?? null, tool_calls: assistant.tool_calls },
          { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' },
        ],
      });
      const answer = second.choices[0].message;
      assert.equal(typeof answer.content, 'string', JSON.stringify(answer));
      assert.ok(answer.content.includes('21'), `answer must quote the tool output: ${answer.content}`);
      assert.equal(second.choices[0].finish_reason, 'stop');
    });

    it('response_format json_schema yields matching JSON', opts, async () => {
      const res = await client.chat.completions.create({
        model,
        messages: user('Name a city, as JSON.'),
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'x',
            schema: {
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
            },
          },
        },
      });
      const content = res.choices[0].message.content;
      const parsed = parseJson(content, 'structured output');
      assert.equal(typeof parsed, 'object');
      assert.equal(typeof parsed?.city, 'string', `city must be a string: ${content}`);
    });

    it('models.list contains the model', opts, async () => {
      const ids = [];
      for await (const m of client.models.list()) {
        assert.equal(m.object, 'model', JSON.stringify(m));
        ids.push(m.id);
      }
      assert.ok(ids.includes(model), `models.list() ids ${JSON.stringify(ids)} lack ${model}`);
    });

    it('embeddings: 16-dim unit vectors, deterministic', opts, async () => {
      // No encoding_format: the SDK asks for base64 and decodes it.
      const first = await client.embeddings.create({ model, input: ['a', 'b'] });
      assert.equal(first.object, 'list');
      assert.equal(first.data.length, 2);
      first.data.forEach((d, i) => {
        assert.equal(d.object, 'embedding');
        assert.equal(d.index, i);
        assert.equal(d.embedding.length, 16);
        for (const x of d.embedding) assert.ok(Number.isFinite(x), `non-finite component ${x}`);
        const n = norm(d.embedding);
        assert.ok(Math.abs(n - 1) <= 1e-3, `embedding ${i} norm ${n} is not 1`);
      });

      const again = await client.embeddings.create({ model, input: ['a', 'b'] });
      assert.deepEqual(again.data[0].embedding, first.data[0].embedding);
      assert.deepEqual(again.data[1].embedding, first.data[1].embedding);
      const single = await client.embeddings.create({ model, input: 'a' });
      assert.deepEqual(single.data[0].embedding, first.data[0].embedding);
    });

    it('errors: missing messages is a 400 naming the param', opts, async () => {
      const err = await rejection(() => client.post('/chat/completions', { body: { model } }));
      assert.ok(err instanceof OpenAI.BadRequestError, `expected BadRequestError, got ${err}`);
      assert.equal(err.status, 400);
      assert.equal(err.param, 'messages', JSON.stringify(err.error));
      assert.equal(typeof err.error?.message, 'string');
    });

    it('errors: sim:fail=500 surfaces as an APIError with status 500', opts, async () => {
      const err = await rejection(() =>
        client.chat.completions.create({ model, messages: user('Break. sim:fail=500') }),
      );
      assert.ok(err instanceof OpenAI.APIError, `expected APIError, got ${err}`);
      assert.equal(err.status, 500, String(err));
    });

    if (model === OLLAMA_MODEL) {
      it('reasoning: sim:reason=3 streams reasoning_content before content', opts, async () => {
        const stream = await client.chat.completions.create({
          model,
          messages: user('Think first. sim:reason=3 sim:tokens=2'),
          stream: true,
        });
        const s = await collectStream(stream);
        assert.ok(
          s.order.includes('reasoning'),
          `no delta carried reasoning_content: ${JSON.stringify(s.chunks.map((c) => c.choices))}`,
        );
        assert.ok(s.reasoning.length > 0);
        assert.ok(s.content.length > 0, 'content must follow the reasoning');
        assert.ok(
          s.order.indexOf('reasoning') < s.order.indexOf('content'),
          `reasoning must come first: ${s.order.join(',')}`,
        );
        assert.deepEqual(s.finishReasons, ['stop']);
      });
    }
  });
}

describe('gateway', () => {
  it('models.list contains both models', opts, async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    for (const { model } of DIALECTS) {
      assert.ok(ids.includes(model), `models.list() ids ${JSON.stringify(ids)} lack ${model}`);
    }
  });

  it('errors: unknown model is NotFoundError with code model_not_found', opts, async () => {
    const err = await rejection(() =>
      client.chat.completions.create({
        model: 'gantry-compat-no-such-model',
        messages: user('Hello'),
      }),
    );
    assert.ok(err instanceof OpenAI.NotFoundError, `expected NotFoundError, got ${err}`);
    assert.equal(err.status, 404);
    assert.equal(err.code, 'model_not_found', JSON.stringify(err.error));
    assert.equal(err.error?.code, 'model_not_found');
  });

  it('errors: malformed JSON is a 400 with the error envelope and a request id', opts, async () => {
    const res = await rawFetch('/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": "x", "messages": [',
    });
    assert.equal(res.status, 400);
    const requestId = res.headers.get('x-request-id');
    assert.ok(requestId && requestId.length > 0, 'x-request-id header must be present');
    const text = await res.text();
    const body = parseJson(text, 'error body');
    assert.equal(typeof body.error, 'object', text);
    assert.ok(body.error !== null, text);
    for (const key of ['message', 'type', 'param', 'code']) {
      assert.ok(key in body.error, `error.${key} must be present: ${text}`);
    }
    assert.equal(typeof body.error.message, 'string');
    assert.ok(body.error.message.length > 0, 'error.message must be non-empty');
    assert.equal(typeof body.error.type, 'string');
  });

  it('request id: a client x-request-id is echoed back', opts, async () => {
    const models = await rawFetch('/models', { headers: { 'x-request-id': 'compat-123' } });
    assert.equal(models.status, 200);
    await models.arrayBuffer();
    assert.equal(models.headers.get('x-request-id'), 'compat-123');

    const chat = await rawFetch('/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'compat-123' },
      body: JSON.stringify({ model: DIALECTS[0].model, messages: user('Hi sim:tokens=2') }),
    });
    assert.equal(chat.status, 200, await chat.clone().text());
    await chat.arrayBuffer();
    assert.equal(chat.headers.get('x-request-id'), 'compat-123');
  });

  it('SDK exposes the request id of a response', opts, async () => {
    const { response } = await client.chat.completions
      .create({ model: DIALECTS[0].model, messages: user('Hi sim:tokens=2') })
      .withResponse();
    assert.ok(response.headers.get('x-request-id'), 'x-request-id header must be present');
  });
});
