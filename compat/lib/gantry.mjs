// Shared set-up for the compat suite: configuration from the environment, the SDK client,
// raw HTTP access to the gateway, and stream reassembly.
//
// Environment:
//   GANTRY_BASE_URL      required, e.g. http://127.0.0.1:8800/v1
//   GANTRY_OPENAI_MODEL  default "gantry-sim"               (openai-dialect backend)
//   GANTRY_OLLAMA_MODEL  default "gantry-sim-ollama:latest" (ollama-dialect backend)
//   GANTRY_API_KEY       default "sk-gantry-compat"         (sent as the bearer token)

import OpenAI from 'openai';

const rawBaseUrl = process.env.GANTRY_BASE_URL?.trim();
if (!rawBaseUrl) {
  const message =
    'GANTRY_BASE_URL is not set. Point it at a running Gantry gateway, e.g. ' +
    'GANTRY_BASE_URL=http://127.0.0.1:8800/v1 npm test';
  console.error(`\n[gantry-compat] ${message}\n`);
  throw new Error(message);
}

/** The gateway's OpenAI base URL, without a trailing slash (e.g. http://127.0.0.1:8800/v1). */
export const BASE_URL = rawBaseUrl.replace(/\/+$/, '');
export const API_KEY = process.env.GANTRY_API_KEY?.trim() || 'sk-gantry-compat';
export const OPENAI_MODEL = process.env.GANTRY_OPENAI_MODEL?.trim() || 'gantry-sim';
export const OLLAMA_MODEL = process.env.GANTRY_OLLAMA_MODEL?.trim() || 'gantry-sim-ollama:latest';

/** One entry per backend dialect behind the gateway; the suite runs every chat test for each. */
export const DIALECTS = [
  { dialect: 'openai', model: OPENAI_MODEL },
  { dialect: 'ollama', model: OLLAMA_MODEL },
];

/** Per-test timeout for node:test, a little above the client's request timeout. */
export const TEST_TIMEOUT_MS = 60_000;

export const client = new OpenAI({
  baseURL: BASE_URL,
  apiKey: API_KEY,
  maxRetries: 0,
  timeout: 30_000,
});

/** fetch() against the gateway, bypassing the SDK. `path` is relative to BASE_URL. */
export async function rawFetch(path, init = {}) {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${API_KEY}`);
  return fetch(`${BASE_URL}${path}`, {
    ...init,
    headers,
    signal: init.signal ?? AbortSignal.timeout(30_000),
  });
}

/** A user message; directives for the simulator go in its text. */
export function user(text) {
  return [{ role: 'user', content: text }];
}

export const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a location.',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'City name' },
        unit: { type: 'string', enum: ['c', 'f'] },
      },
      required: ['location'],
    },
  },
};

export const TIME_TOOL = {
  type: 'function',
  function: {
    name: 'get_time',
    description: 'Get the current local time in a timezone.',
    parameters: {
      type: 'object',
      properties: {
        timezone: { type: 'string', description: 'IANA timezone, e.g. Europe/Paris' },
      },
      required: ['timezone'],
    },
  },
};

/**
 * Reads a chat-completions stream to the end and reassembles it the way the SDK's own
 * ChatCompletionStream does: text and reasoning concatenated, tool calls merged by `index`
 * (id/type/name assigned when present, arguments concatenated).
 * Chunks are the raw parsed JSON objects, so non-standard fields (reasoning_content) are
 * visible.
 */
export async function collectStream(stream) {
  const chunks = [];
  let content = '';
  let reasoning = '';
  let role;
  const finishReasons = [];
  const toolCalls = new Map();
  /** Order of delta kinds as they arrived: 'reasoning' | 'content' | 'tool'. */
  const order = [];

  for await (const chunk of stream) {
    chunks.push(chunk);
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta ?? {};
      if (delta.role) role = delta.role;
      if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') {
        reasoning += delta.reasoning_content;
        order.push('reasoning');
      }
      if (typeof delta.content === 'string' && delta.content !== '') {
        content += delta.content;
        order.push('content');
      }
      for (const tc of delta.tool_calls ?? []) {
        order.push('tool');
        let acc = toolCalls.get(tc.index);
        if (!acc) {
          acc = { index: tc.index, id: '', type: '', function: { name: '', arguments: '' } };
          toolCalls.set(tc.index, acc);
        }
        if (tc.id) acc.id = tc.id;
        if (tc.type) acc.type = tc.type;
        if (tc.function?.name) acc.function.name = tc.function.name;
        if (tc.function?.arguments) acc.function.arguments += tc.function.arguments;
      }
      if (choice.finish_reason != null) finishReasons.push(choice.finish_reason);
    }
  }

  return {
    chunks,
    role,
    content,
    reasoning,
    order,
    finishReasons,
    toolCalls: [...toolCalls.values()].sort((a, b) => a.index - b.index),
    usage: chunks.at(-1)?.usage ?? null,
  };
}

/** Parses JSON, failing with the offending text in the message. */
export function parseJson(text, what = 'value') {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} is not valid JSON (${e.message}): ${JSON.stringify(text)}`);
  }
}

export function norm(vector) {
  return Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
}

/** Runs `fn`, expecting it to reject; returns the error (fails the test when nothing is thrown). */
export async function rejection(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the request to fail, but it succeeded');
}

/** get_weather as a Responses API function tool (flat shape: name/parameters at top level). */
export const RESPONSES_WEATHER_TOOL = {
  type: 'function',
  name: WEATHER_TOOL.function.name,
  description: WEATHER_TOOL.function.description,
  parameters: WEATHER_TOOL.function.parameters,
  strict: false,
};

/**
 * Reads a Responses API event stream (a `create({stream: true})` Stream or a
 * `responses.stream()` ResponseStream) to the end. Returns every event, their types, the
 * concatenated `response.output_text.delta` deltas, and the error the iteration threw, if any
 * (so a test can assert on a failing stream without losing the events seen before it).
 */
export async function collectResponseEvents(stream) {
  const events = [];
  let text = '';
  let thrown;
  try {
    for await (const event of stream) {
      events.push(event);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
  } catch (e) {
    thrown = e;
  }
  return { events, types: events.map((e) => e.type), text, thrown };
}
