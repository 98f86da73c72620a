// OpenAI Agents SDK (@openai/agents) against Gantry's Responses API: an agent loop with a zod
// function tool, blocking and streaming, server-side chaining with previousResponseId, and a
// structured (zod) output type. The simulator calls the tool when the last user message says
// `sim:tool=get_weather`; once the last message is the tool's output it answers with text quoting
// that output, which ends the loop.
// Run: GANTRY_BASE_URL=http://127.0.0.1:8800/v1 npm test   (see ../README.md)
//
// Nothing may reach api.openai.com (the test machines have no internet): the SDK gets its own
// client pointed at the gateway, tracing is disabled and its exporter removed, and every fetch()
// of this process is recorded and checked at the end.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import {
  Agent,
  run,
  setDefaultOpenAIClient,
  setOpenAIAPI,
  setTraceProcessors,
  setTracingDisabled,
  tool,
} from '@openai/agents';
import { z } from 'zod';

import { API_KEY, BASE_URL, DIALECTS, TEST_TIMEOUT_MS, parseJson } from '../lib/gantry.mjs';

const opts = { timeout: TEST_TIMEOUT_MS };

// Record every URL this process fetches (the openai client and the tracing exporter both use
// the global fetch); installed before the SDK client is created so the client picks it up.
const fetchedUrls = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  fetchedUrls.push(input instanceof Request ? input.url : String(input));
  return realFetch(input, init);
};

setTracingDisabled(true);
setTraceProcessors([]); // drop the default OpenAI trace exporter (it posts to api.openai.com)
setOpenAIAPI('responses');
setDefaultOpenAIClient(
  new OpenAI({ baseURL: BASE_URL, apiKey: API_KEY, maxRetries: 0, timeout: 30_000 }),
);

/** Makes a get_weather tool whose execute() records the cities it was called with. */
function weatherTool() {
  const calls = [];
  const getWeather = tool({
    name: 'get_weather',
    description: 'Get the current weather for a city.',
    parameters: z.object({ city: z.string().describe('City name') }),
    execute: async ({ city }) => {
      calls.push(city);
      return JSON.stringify({ city, temp_c: 21, sky: 'clear' });
    },
  });
  return { getWeather, calls };
}

function weatherAgent(model, getWeather) {
  return new Agent({
    name: 'Weather agent',
    instructions: 'You answer weather questions. Always call get_weather first.',
    model,
    tools: [getWeather],
  });
}

/** Asserts the tool ran once with a city string and the final answer quotes what it returned. */
function assertToolAnswer(finalOutput, calls) {
  assert.equal(calls.length, 1, `get_weather must run once, ran with ${JSON.stringify(calls)}`);
  const [city] = calls;
  assert.equal(typeof city, 'string');
  assert.ok(city.length > 0, 'city must be non-empty');
  const returned = JSON.stringify({ city, temp_c: 21, sky: 'clear' });
  assert.equal(typeof finalOutput, 'string', `finalOutput: ${finalOutput}`);
  assert.ok(finalOutput.includes(returned), `finalOutput must quote ${returned}: ${finalOutput}`);
}

after(() => {
  assert.ok(fetchedUrls.length > 0, 'the SDK client did not go through the recorded fetch');
  const elsewhere = fetchedUrls.filter((url) => !url.startsWith(`${BASE_URL}/`));
  assert.deepEqual(elsewhere, [], 'the Agents SDK fetched URLs outside the gateway');
});

for (const { dialect, model } of DIALECTS) {
  describe(`agents, ${dialect} dialect (model ${model})`, () => {
    it('run(): tool call, tool execution, final answer quoting the tool output', opts, async () => {
      const { getWeather, calls } = weatherTool();
      const agent = weatherAgent(model, getWeather);
      const result = await run(agent, 'What is the weather in Paris? sim:tool=get_weather', {
        maxTurns: 4,
      });

      assertToolAnswer(result.finalOutput, calls);
      assert.deepEqual(
        result.newItems.map((i) => i.type),
        ['tool_call_item', 'tool_call_output_item', 'message_output_item'],
      );
      const call = result.newItems[0].rawItem;
      assert.equal(call.type, 'function_call');
      assert.equal(call.name, 'get_weather');
      assert.deepEqual(parseJson(call.arguments, 'get_weather arguments'), { city: calls[0] });
      assert.equal(result.rawResponses.length, 2, 'one model call for the tool, one for the answer');
      assert.ok(result.lastResponseId, 'lastResponseId must be set');
      for (const r of result.rawResponses) {
        assert.ok(r.usage.inputTokens > 0 && r.usage.outputTokens > 0, JSON.stringify(r.usage));
      }
    });

    it('run(..., {stream: true}): events, completion, text deltas = finalOutput', opts, async () => {
      const { getWeather, calls } = weatherTool();
      const agent = weatherAgent(model, getWeather);
      const stream = await run(agent, 'What is the weather in Oslo? sim:tool=get_weather', {
        stream: true,
        maxTurns: 4,
      });

      const runItems = [];
      let rawEvents = 0;
      let text = '';
      for await (const event of stream) {
        if (event.type === 'raw_model_stream_event') {
          rawEvents++;
          if (event.data.type === 'output_text_delta') text += event.data.delta;
        } else if (event.type === 'run_item_stream_event') {
          runItems.push(event.name);
        }
      }
      await stream.completed;

      assert.equal(stream.error ?? null, null, `stream error: ${stream.error}`);
      assert.ok(rawEvents > 0, 'expected raw model stream events');
      assert.deepEqual(runItems, ['tool_called', 'tool_output', 'message_output_created']);
      assertToolAnswer(stream.finalOutput, calls);
      assert.equal(text, stream.finalOutput, 'streamed text deltas must add up to finalOutput');
    });

    it('previousResponseId: the agent loop continues a stored conversation', opts, async () => {
      const { getWeather, calls } = weatherTool();
      const agent = weatherAgent(model, getWeather);

      const first = await run(agent, 'Weather in Rome? sim:tool=get_weather', { maxTurns: 4 });
      assertToolAnswer(first.finalOutput, calls);

      // With previousResponseId the SDK sends only new items and previous_response_id, on
      // every turn (the tool's output too), so the chain lives in Gantry's store.
      calls.length = 0;
      const second = await run(agent, 'And in Lima? sim:tool=get_weather', {
        maxTurns: 4,
        previousResponseId: first.lastResponseId,
      });
      assertToolAnswer(second.finalOutput, calls);

      const recap = await run(agent, 'Recap. sim:history', {
        maxTurns: 2,
        previousResponseId: second.lastResponseId,
      });
      const lines = recap.finalOutput.split('\n').filter((l) => l.trim() !== '');
      const userLines = lines.filter((l) => l.startsWith('user: '));
      assert.deepEqual(
        userLines,
        [
          'user: Weather in Rome? sim:tool=get_weather',
          'user: And in Lima? sim:tool=get_weather',
          'user: Recap. sim:history',
        ],
        lines.join('\n'),
      );
      const count = (marker) => lines.filter((l) => l.includes(marker)).length;
      assert.equal(count('[tool_call get_weather '), 2, lines.join('\n'));
      assert.equal(count('[tool_result get_weather]'), 2, lines.join('\n'));
      assert.ok(
        lines.some((l) => l === `assistant: ${first.finalOutput}`),
        `first answer missing from the history:\n${lines.join('\n')}`,
      );
    });

    it('outputType (zod): structured final output', opts, async () => {
      const agent = new Agent({
        name: 'City agent',
        instructions: 'Name one city, as JSON.',
        model,
        outputType: z.object({ city: z.string() }),
      });
      const result = await run(agent, 'Name a city.', { maxTurns: 2 });
      assert.equal(typeof result.finalOutput, 'object', JSON.stringify(result.finalOutput));
      assert.equal(typeof result.finalOutput?.city, 'string', JSON.stringify(result.finalOutput));
    });
  });
}
