// Conversations API compatibility tests: the official `openai` npm SDK (client.conversations.*)
// against a running Gantry gateway. Conversations live in Gantry's store and involve no backend,
// so these run once, not per dialect.
// Run: GANTRY_BASE_URL=http://127.0.0.1:8800/v1 npm test   (see ../README.md)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { DIALECTS, TEST_TIMEOUT_MS, client, rejection } from '../lib/gantry.mjs';

const opts = { timeout: TEST_TIMEOUT_MS };

/** The text of a message item's first content part. */
function textOf(item) {
  assert.equal(item.type, 'message', JSON.stringify(item));
  return item.content[0].text;
}

/** A conversation holding one user message per text, oldest first. */
async function conversationWith(...texts) {
  return client.conversations.create({
    items: texts.map((text) => ({ type: 'message', role: 'user', content: text })),
  });
}

describe('conversations', () => {
  it('create with items and metadata, retrieve, update metadata', opts, async () => {
    const created = await client.conversations.create({
      metadata: { topic: 'demo' },
      items: [
        { type: 'message', role: 'user', content: 'Hello!' },
        { role: 'assistant', content: [{ type: 'output_text', text: 'Hi.' }] },
      ],
    });
    assert.match(created.id, /^conv_/);
    assert.equal(created.object, 'conversation');
    assert.equal(typeof created.created_at, 'number');
    assert.deepEqual(created.metadata, { topic: 'demo' });

    const got = await client.conversations.retrieve(created.id);
    assert.deepEqual(got, created);

    const updated = await client.conversations.update(created.id, {
      metadata: { topic: 'project-x' },
    });
    assert.equal(updated.id, created.id);
    assert.deepEqual(updated.metadata, { topic: 'project-x' });
    assert.deepEqual((await client.conversations.retrieve(created.id)).metadata, {
      topic: 'project-x',
    });

    const empty = await client.conversations.create();
    assert.deepEqual(empty.metadata, {});
  });

  it('items.list: newest first by default, asc on request, auto-pagination', opts, async () => {
    const conversation = await conversationWith('one', 'two', 'three', 'four', 'five');

    const page = await client.conversations.items.list(conversation.id, { limit: 2 });
    assert.deepEqual(page.data.map(textOf), ['five', 'four']);
    assert.equal(page.has_more, true);
    // The SDK's cursor page keeps last_id (its cursor); first_id is checked on the raw body.
    assert.equal(page.last_id, page.data[1].id);
    const body = await client.get(`/conversations/${conversation.id}/items`, {
      query: { limit: 2 },
    });
    assert.equal(body.first_id, page.data[0].id);
    assert.equal(body.last_id, page.data[1].id);
    assert.ok(page.hasNextPage());

    const desc = [];
    for await (const item of client.conversations.items.list(conversation.id, { limit: 2 })) {
      desc.push(textOf(item));
    }
    assert.deepEqual(desc, ['five', 'four', 'three', 'two', 'one']);

    const asc = [];
    for await (const item of client.conversations.items.list(conversation.id, {
      limit: 3,
      order: 'asc',
    })) {
      asc.push(textOf(item));
    }
    assert.deepEqual(asc, ['one', 'two', 'three', 'four', 'five']);

    const all = await client.conversations.items.list(conversation.id, { order: 'asc' });
    assert.equal(all.data.length, 5);
    assert.equal(all.has_more, false);
    for (const item of all.data) {
      assert.match(item.id, /^msg_/);
      assert.equal(item.role, 'user');
      assert.equal(item.status, 'completed');
      assert.equal(item.content[0].type, 'input_text');
    }
  });

  it('items.create appends and answers the added items', opts, async () => {
    const conversation = await conversationWith('What is the weather in Paris?');
    const added = await client.conversations.items.create(conversation.id, {
      items: [
        {
          type: 'function_call',
          call_id: 'call_1',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
        },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temperature":21}' },
        { type: 'message', role: 'user', content: 'Thanks!' },
      ],
    });
    assert.equal(added.object, 'list');
    assert.deepEqual(
      added.data.map((i) => i.type),
      ['function_call', 'function_call_output', 'message'],
    );
    assert.equal(added.has_more, false);
    assert.equal(added.first_id, added.data[0].id);
    assert.equal(added.last_id, added.data[2].id);
    assert.equal(added.data[0].name, 'get_weather');
    assert.equal(added.data[1].output, '{"temperature":21}');

    const asc = await client.conversations.items.list(conversation.id, { order: 'asc' });
    assert.deepEqual(
      asc.data.map((i) => i.id),
      [asc.data[0].id, ...added.data.map((i) => i.id)],
    );
  });

  it('items.retrieve and items.delete (which answers the conversation)', opts, async () => {
    const conversation = await conversationWith('keep', 'drop', 'keep too');
    const { data } = await client.conversations.items.list(conversation.id, { order: 'asc' });
    const drop = data[1];

    const got = await client.conversations.items.retrieve(drop.id, {
      conversation_id: conversation.id,
    });
    assert.deepEqual(got, drop);

    const after = await client.conversations.items.delete(drop.id, {
      conversation_id: conversation.id,
    });
    assert.deepEqual(after, conversation);

    const err = await rejection(() =>
      client.conversations.items.retrieve(drop.id, { conversation_id: conversation.id }),
    );
    assert.ok(err instanceof OpenAI.NotFoundError, `expected NotFoundError, got ${err}`);
    const left = await client.conversations.items.list(conversation.id, { order: 'asc' });
    assert.deepEqual(left.data.map(textOf), ['keep', 'keep too']);
  });

  it('delete, then retrieve and items.list reject with NotFoundError (404)', opts, async () => {
    const conversation = await conversationWith('bye');
    const deleted = await client.conversations.delete(conversation.id);
    assert.deepEqual(deleted, {
      id: conversation.id,
      object: 'conversation.deleted',
      deleted: true,
    });
    for (const call of [
      () => client.conversations.retrieve(conversation.id),
      () => client.conversations.items.list(conversation.id),
      () => client.conversations.delete(conversation.id),
    ]) {
      const err = await rejection(call);
      assert.ok(err instanceof OpenAI.NotFoundError, `expected NotFoundError, got ${err}`);
      assert.equal(err.status, 404);
    }
  });

  it('bad input is a BadRequestError naming the parameter', opts, async () => {
    const conversation = await conversationWith('x');
    const badLimit = await rejection(() =>
      client.conversations.items.list(conversation.id, { limit: 0 }),
    );
    assert.ok(badLimit instanceof OpenAI.BadRequestError, `expected BadRequestError, got ${badLimit}`);
    assert.equal(badLimit.param, 'limit');

    const badOrder = await rejection(() =>
      client.conversations.items.list(conversation.id, { order: 'sideways' }),
    );
    assert.equal(badOrder.param, 'order');

    const tooMany = await rejection(() =>
      client.conversations.items.create(conversation.id, {
        items: Array.from({ length: 21 }, (_, i) => ({ role: 'user', content: `m${i}` })),
      }),
    );
    assert.ok(tooMany instanceof OpenAI.BadRequestError, `expected BadRequestError, got ${tooMany}`);
    assert.equal(tooMany.param, 'items');

    const badItem = await rejection(() =>
      client.conversations.create({ items: [{ type: 'message', role: 'tool', content: 'x' }] }),
    );
    assert.equal(badItem.status, 400);
    assert.equal(badItem.param, 'items[0].role');

    const badMetadata = await rejection(() =>
      client.conversations.create({ metadata: { n: 1 } }),
    );
    assert.equal(badMetadata.status, 400);
    assert.equal(badMetadata.param, 'metadata.n');
  });
});

for (const { dialect, model } of DIALECTS) {
  describe(`responses through a conversation, ${dialect} dialect (model ${model})`, () => {
    it('two turns: history comes from the conversation, items listed in order', opts, async () => {
      const conversation = await conversationWith('I like tea.');
      const first = await client.responses.create({
        model,
        input: 'first turn sim:tokens=3',
        conversation: conversation.id,
      });
      assert.equal(first.conversation?.id, conversation.id);
      const second = await client.responses.create({
        model,
        input: 'second turn sim:history',
        conversation: { id: conversation.id },
      });
      const lines = second.output_text.split('\n');
      const at = (line) => lines.indexOf(line);
      assert.ok(at('user: I like tea.') >= 0, second.output_text);
      assert.ok(at('user: first turn sim:tokens=3') > at('user: I like tea.'), second.output_text);
      assert.ok(at(`assistant: ${first.output_text}`) > at('user: first turn sim:tokens=3'), second.output_text);
      assert.equal(lines[lines.length - 1], 'user: second turn sim:history');

      const items = [];
      for await (const item of client.conversations.items.list(conversation.id, { order: 'asc' })) {
        items.push(item);
      }
      assert.deepEqual(
        items.map((item) => `${item.role}: ${textOf(item)}`),
        [
          'user: I like tea.',
          'user: first turn sim:tokens=3',
          `assistant: ${first.output_text}`,
          'user: second turn sim:history',
          `assistant: ${second.output_text}`,
        ],
      );
    });

    it('conversation together with previous_response_id is a BadRequestError', opts, async () => {
      const conversation = await conversationWith('hi');
      const previous = await client.responses.create({ model, input: 'sim:tokens=1' });
      const error = await rejection(() =>
        client.responses.create({
          model,
          input: 'x',
          conversation: conversation.id,
          previous_response_id: previous.id,
        }),
      );
      assert.equal(error.status, 400);
      assert.equal(error.param, 'conversation');
    });
  });
}
