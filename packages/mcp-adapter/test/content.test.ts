/**
 * MCP resources (static files, path-safe) and prompts (templates with `{{arg}}`), served through
 * the SDK, over HTTP with the current client in both eras.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createMcpApp, McpAdapterError } from '../src/index.js';
import { resolveInside, renderTemplate } from '../src/content.js';
import { here, loadCapability, parseText, result, stubConsumer } from './helpers.js';

const FIXTURE = path.join(here, 'fixtures/content/capability.yaml');

describe('resources and prompts', () => {
  let app: FastifyInstance;
  let url: URL;

  beforeAll(async () => {
    const capability = loadCapability(FIXTURE);
    app = await createMcpApp({ capability, consumer: stubConsumer(() => result(200, { id: '1' })) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = new URL(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/mcp`);
  });
  afterAll(async () => {
    await app?.close();
  });

  describe.each([
    ['initialize handshake', undefined],
    ['2026-07-28', { mode: { pin: '2026-07-28' } } as const],
  ])('%s', (_label, versionNegotiation) => {
    let client: Client;
    beforeAll(async () => {
      client = new Client({ name: 'test', version: '1' }, versionNegotiation ? { versionNegotiation } : {});
      await client.connect(new StreamableHTTPClientTransport(url));
    });
    afterAll(async () => {
      await client?.close();
    });

    it('lists the declared resources', async () => {
      const { resources } = await client.listResources();
      expect(resources.map((r) => [r.uri, r.name, r.mimeType])).toEqual([
        ['docs://guide', 'guide', 'text/markdown'],
        ['docs://logo', 'logo', 'image/png'],
        ['data://item', 'live-item', undefined],
      ]);
      expect(resources[0]!.title).toBe('Guide');
    });

    it('reads a static text file and a binary file', async () => {
      const text = await client.readResource({ uri: 'docs://guide' });
      expect(text.contents[0]).toMatchObject({ uri: 'docs://guide', mimeType: 'text/markdown', text: '# Guide\n\nUse the tools.\n' });
      const bin = await client.readResource({ uri: 'docs://logo' });
      const blob = (bin.contents[0] as { blob: string }).blob;
      expect(Buffer.from(blob, 'base64').equals(fs.readFileSync(path.join(here, 'fixtures/content/docs/logo.png')))).toBe(true);
    });

    it('answers a dynamic resource with a clear "not supported yet" error', async () => {
      await expect(client.readResource({ uri: 'data://item' })).rejects.toThrow(/not supported yet/);
    });

    it('lists prompts with their arguments', async () => {
      const { prompts } = await client.listPrompts();
      const summarise = prompts.find((p) => p.name === 'summarise')!;
      expect(summarise.description).toBe('Summarise an item.');
      expect(summarise.arguments).toEqual([
        { name: 'itemId', description: 'The item to summarise.', required: true },
        { name: 'tone', description: 'Optional tone.', required: false },
      ]);
    });

    it('renders a prompt template with the arguments', async () => {
      const r = await client.getPrompt({ name: 'summarise', arguments: { itemId: '42', tone: 'dry' } });
      expect(r.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Summarise item 42 in a dry tone.' } }]);
      const f = await client.getPrompt({ name: 'from-file', arguments: { topic: 'tokens' } });
      expect((f.messages[0]!.content as { text: string }).text).toBe('Write about tokens.');
    });

    it('refuses a prompt without its required argument, naming it', async () => {
      await expect(client.getPrompt({ name: 'summarise', arguments: { tone: 'dry' } })).rejects.toThrow(/itemId/);
    });
  });
});

describe('static locations are path-safe', () => {
  it('refuses `..` escapes and absolute paths', () => {
    const root = path.join(here, 'fixtures/content');
    expect(resolveInside(root, 'file://docs/guide.md', 'x')).toBe(path.join(root, 'docs/guide.md'));
    for (const bad of ['file://../outside.txt', '../outside.txt', 'file://docs/../../x', 'file:///etc/passwd', '/etc/passwd', 'file://%2e%2e/x']) {
      expect(() => resolveInside(root, bad, 'x'), bad).toThrow(McpAdapterError);
    }
  });

  it('does not start a capability whose resource escapes its directory', async () => {
    const text = fs.readFileSync(FIXTURE, 'utf8').replace('file://docs/guide.md', 'file://../../../../etc/hostname');
    const capability = parseText(text, FIXTURE);
    const err = await createMcpApp({ capability, consumer: stubConsumer(() => result(200, {})) }).catch((e: unknown) => e);
    expect(McpAdapterError.isInstance(err)).toBe(true);
    expect((err as McpAdapterError).code).toBe('MCP_UNSAFE_LOCATION');
  });

  it('refuses to read through a symlink that leaves the directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-symlink-'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-outside-'));
    try {
      fs.cpSync(path.join(here, 'fixtures/content'), dir, { recursive: true });
      fs.writeFileSync(path.join(outside, 'secret.txt'), 'TOP-SECRET-CONTENT');
      fs.rmSync(path.join(dir, 'docs/guide.md'));
      fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'docs/guide.md'));
      const file = path.join(dir, 'capability.yaml');
      const app = await createMcpApp({ capability: loadCapability(file), consumer: stubConsumer(() => result(200, {})) });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const client = new Client({ name: 't', version: '1' });
      try {
        await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/mcp`)));
        const err = await client.readResource({ uri: 'docs://guide' }).catch((e: unknown) => e);
        expect(String(err)).toMatch(/outside the capability's directory/);
        expect(String(err)).not.toContain('TOP-SECRET-CONTENT');
      } finally {
        await client.close();
        await app.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('substitutes {{arg}} and leaves no placeholder behind', () => {
    expect(renderTemplate('a {{x}} b {{ y }} c {{z}}', { x: 1, y: 'two' })).toBe('a 1 b two c ');
  });
});
