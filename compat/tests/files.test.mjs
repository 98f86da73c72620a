// Files API compatibility tests: the official `openai` npm SDK (client.files.*) against a running
// Gantry gateway, and file inputs (`input_file`, `input_image`) on the Responses API, checked with
// the simulator's `sim:history` reply, which lists every message the backend received.
// Run: GANTRY_BASE_URL=http://127.0.0.1:8800/v1 npm test   (see ../README.md)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';

import { DIALECTS, TEST_TIMEOUT_MS, client, rawFetch, rejection } from '../lib/gantry.mjs';

const opts = { timeout: TEST_TIMEOUT_MS };

// A 1x1 PNG.
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** A unique marker, so a listing can be told apart from what other runs left in the store. */
function marker() {
  return `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

async function uploadText(name, text, purpose = 'user_data') {
  const file = await toFile(Buffer.from(text, 'utf8'), name, { type: 'text/plain' });
  return client.files.create({ file, purpose });
}

/** One user message: the given parts, then the text that asks the simulator for its history. */
function askWith(...parts) {
  return [
    {
      type: 'message',
      role: 'user',
      content: [...parts, { type: 'input_text', text: 'What is in it? sim:history' }],
    },
  ];
}

function assertFileObject(file) {
  assert.equal(file.object, 'file');
  assert.match(file.id, /^file-/);
  assert.equal(typeof file.bytes, 'number');
  assert.equal(typeof file.created_at, 'number');
  assert.equal(typeof file.filename, 'string');
  assert.equal(file.status, 'processed');
}

describe('files, gateway', () => {
  it('create, retrieve, list by purpose with pagination, content, delete', opts, async () => {
    const tag = marker();
    const first = await client.files.create({
      file: await toFile(Buffer.from(`first ${tag}`), `${tag}-1.txt`, { type: 'text/plain' }),
      purpose: 'user_data',
    });
    const second = await uploadText(`${tag}-2.md`, `# second ${tag}`);
    assertFileObject(first);
    assert.equal(first.purpose, 'user_data');
    assert.equal(first.filename, `${tag}-1.txt`);
    assert.equal(first.bytes, Buffer.byteLength(`first ${tag}`));

    const retrieved = await client.files.retrieve(first.id);
    assert.deepEqual(retrieved, first);

    // Newest first, one per page: the SDK follows `after` cursors by itself.
    const seen = [];
    for await (const file of client.files.list({ purpose: 'user_data', limit: 1 })) {
      seen.push(file.id);
      if (seen.length > 500) break;
    }
    assert.ok(seen.indexOf(second.id) >= 0 && seen.indexOf(second.id) < seen.indexOf(first.id), seen.join(','));
    const page = await client.files.list({ purpose: 'user_data', limit: 1 });
    assert.equal(page.data.length, 1);
    assert.equal(page.has_more, true);
    assert.equal(page.data[0].id, second.id);

    const content = await client.files.content(first.id);
    assert.equal(await content.text(), `first ${tag}`);
    assert.match(content.headers.get('content-type'), /^text\/plain/);

    const deleted = await client.files.delete(first.id);
    assert.deepEqual(deleted, { id: first.id, object: 'file', deleted: true });
    const gone = await rejection(() => client.files.retrieve(first.id));
    assert.ok(gone instanceof OpenAI.NotFoundError, String(gone));
    assert.equal(gone.error?.code, 'file_not_found');
    await client.files.delete(second.id);
  });

  it('binary content comes back byte for byte', opts, async () => {
    const bytes = Buffer.alloc(50_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
    const file = await client.files.create({
      file: await toFile(bytes, 'blob.bin'),
      purpose: 'assistants',
    });
    assert.equal(file.bytes, bytes.length);
    const content = Buffer.from(await (await client.files.content(file.id)).arrayBuffer());
    assert.ok(content.equals(bytes));
    await client.files.delete(file.id);
  });

  it('expires_after sets expires_at', opts, async () => {
    const file = await client.files.create({
      file: await toFile(Buffer.from('soon gone'), 'soon.txt'),
      purpose: 'batch',
      expires_after: { anchor: 'created_at', seconds: 3600 },
    });
    assert.equal(file.expires_at, file.created_at + 3600);
    await client.files.delete(file.id);
  });

  it('an invalid purpose is a 400 naming purpose', opts, async () => {
    const error = await rejection(async () =>
      client.files.create({ file: await toFile(Buffer.from('x'), 'x.txt'), purpose: 'training' }),
    );
    assert.ok(error instanceof OpenAI.BadRequestError, String(error));
    assert.equal(error.param, 'purpose');
  });

  it('remote image URLs are refused with a 400 naming the parameter', opts, async () => {
    const error = await rejection(() =>
      client.responses.create({
        model: DIALECTS[0].model,
        input: askWith({ type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'auto' }),
      }),
    );
    assert.ok(error instanceof OpenAI.BadRequestError, String(error));
    assert.equal(error.param, 'input[0].content[0].image_url');
  });

  it('raw list objects carry cursors', opts, async () => {
    const file = await uploadText('cursor.txt', 'c', 'evals');
    const response = await rawFetch('/files?purpose=evals&limit=1');
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.object, 'list');
    assert.equal(body.first_id, body.data[0].id);
    assert.equal(body.last_id, body.data[0].id);
    assert.equal(typeof body.has_more, 'boolean');
    await client.files.delete(file.id);
  });
});

for (const { dialect, model } of DIALECTS) {
  describe(`file inputs, ${dialect} dialect (model ${model})`, () => {
    it('input_file by file_id reaches the backend as text', opts, async () => {
      const tag = marker();
      const file = await uploadText(`${tag}.txt`, `The secret word is ${tag}.\n`);
      const response = await client.responses.create({
        model,
        input: askWith({ type: 'input_file', file_id: file.id }),
      });
      assert.equal(response.status, 'completed');
      assert.ok(
        response.output_text.startsWith(`user: [file: ${tag}.txt]\nThe secret word is ${tag}.\n\nWhat is in it?`),
        response.output_text,
      );
      await client.files.delete(file.id);
    });

    it('input_file with inline base64 file_data', opts, async () => {
      const response = await client.responses.create({
        model,
        input: askWith({
          type: 'input_file',
          filename: 'temps.csv',
          file_data: Buffer.from('city,temp\nParis,21\n').toString('base64'),
        }),
      });
      assert.ok(response.output_text.startsWith('user: [file: temps.csv]\ncity,temp\nParis,21'), response.output_text);
    });

    it('input_image as a data URL and by file_id reaches the backend as images', opts, async () => {
      const image = await client.files.create({
        file: await toFile(Buffer.from(PNG_BASE64, 'base64'), 'dot.png', { type: 'image/png' }),
        purpose: 'vision',
      });
      const response = await client.responses.create({
        model,
        input: askWith(
          { type: 'input_image', image_url: `data:image/png;base64,${PNG_BASE64}`, detail: 'auto' },
          { type: 'input_image', file_id: image.id, detail: 'low' },
        ),
      });
      const line = response.output_text.split('\n')[0];
      assert.equal(line.match(/\[image\]/g)?.length, 2, line);
      assert.ok(line.includes('What is in it? sim:history'), line);
      await client.files.delete(image.id);
    });
  });
}
