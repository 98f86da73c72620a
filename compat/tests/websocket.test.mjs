// WebSocket mode and compaction with the official `openai` npm SDK: `ResponsesWS` (one socket,
// sequential turns, continuation from the connection's memory with store: false, the documented
// error for an unknown previous response) and `client.responses.compact()` whose output a later
// request sends back. Run: GANTRY_BASE_URL=http://127.0.0.1:8800/v1 npm test   (see ../README.md)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ResponsesWS } from 'openai/resources/responses/ws';

import { DIALECTS, TEST_TIMEOUT_MS, client } from '../lib/gantry.mjs';

const opts = { timeout: TEST_TIMEOUT_MS };
const TERMINAL = ['response.completed', 'response.incomplete', 'response.failed', 'error'];
const { model } = DIALECTS[0];

/** Opens a socket and returns a function that runs one turn and resolves with its events. */
function socket() {
  const ws = new ResponsesWS(client);
  const waiting = [];
  let turn = [];
  const deliver = (event) => {
    turn.push(event);
    if (TERMINAL.includes(event.type)) {
      const done = turn;
      turn = [];
      waiting.shift()?.(done);
    }
  };
  ws.on('event', deliver);
  // An error event goes to 'error' listeners (the SDK wraps it); it ends the turn too.
  ws.on('error', (err) => deliver(err.error ?? { type: 'error', error: { message: String(err) } }));
  const run = (body) =>
    new Promise((resolve) => {
      waiting.push(resolve);
      ws.send({ type: 'response.create', ...body });
    });
  return { ws, run };
}

function text(response) {
  return (response.output ?? [])
    .filter((item) => item.type === 'message')
    .flatMap((item) => item.content)
    .map((part) => part.text ?? '')
    .join('');
}

describe('responses over a WebSocket (ResponsesWS)', () => {
  it('runs sequential turns and continues an unstored response from the socket', opts, async () => {
    const { ws, run } = socket();
    try {
      const first = await run({ model, store: false, input: 'The code word is cobalt.' });
      assert.equal(first[0].type, 'response.created');
      const done = first.at(-1);
      assert.equal(done.type, 'response.completed');
      const second = await run({
        model,
        store: false,
        previous_response_id: done.response.id,
        input: 'sim:history',
      });
      assert.equal(second.at(-1).type, 'response.completed');
      assert.match(text(second.at(-1).response), /cobalt/);
    } finally {
      ws.close();
    }
  });

  it('answers an unknown previous response with previous_response_not_found', opts, async () => {
    const { ws, run } = socket();
    try {
      const events = await run({ model, store: false, previous_response_id: 'resp_nope', input: 'hi' });
      const error = events.at(-1);
      assert.equal(error.type, 'error');
      assert.equal(error.error.code, 'previous_response_not_found');
      const again = await run({ model, store: false, input: 'hi' });
      assert.equal(again.at(-1).type, 'response.completed', 'the socket stays usable');
    } finally {
      ws.close();
    }
  });
});

describe('responses.compact', () => {
  it('returns a sealed compaction item that a later request expands', opts, async () => {
    const compacted = await client.responses.compact({
      model,
      input: [
        { role: 'user', content: 'We launch on Tuesday.' },
        { role: 'assistant', content: 'Noted: Tuesday.' },
        { role: 'user', content: 'And support first.' },
      ],
    });
    assert.equal(compacted.object, 'response.compaction');
    const item = compacted.output.find((i) => i.type === 'compaction');
    assert.ok(item, 'a compaction item');
    assert.doesNotMatch(item.encrypted_content, /Tuesday/);
    assert.ok(compacted.usage.input_tokens > 0);
    const answer = await client.responses.create({
      model,
      input: [...compacted.output, { role: 'user', content: 'sim:history' }],
    });
    assert.match(answer.output_text, /Summary of the earlier conversation/);
  });
});
