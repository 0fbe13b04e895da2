/**
 * Request bodies: `in: body` parameters and operation `body:` templates.
 */
import type { RequestBodyTemplate } from '@naftiko-ts/spec';
import { FormData } from 'undici';
import { compileData, toText, type Getter, type Inputs, type RawTemplateScope } from './values.js';

export interface EncodedBody {
  body: string | Buffer | Uint8Array | FormData;
  /** `undefined` for multipart: undici sets the boundary itself. */
  contentType: string | undefined;
}

export type BodyBuilder = (inputs: Inputs) => EncodedBody | undefined;

/** Encodes a JSON value; bytes (already-serialised JSON from the caller) go through unchanged. */
export function encodeJson(value: unknown): EncodedBody {
  if (value instanceof Uint8Array) return { body: value, contentType: 'application/json' };
  return { body: JSON.stringify(value), contentType: 'application/json' };
}

/** `in: body` parameters: one → the value itself; several → one object keyed by name. */
export function compileBodyParams(params: Array<{ name: string; get: Getter }>): BodyBuilder | undefined {
  if (params.length === 0) return undefined;
  if (params.length === 1) {
    const get = (params[0] as { get: Getter }).get;
    return (inputs) => {
      const v = get(inputs);
      return v === undefined ? undefined : encodeJson(v);
    };
  }
  return (inputs) => {
    const out: Record<string, unknown> = {};
    let any = false;
    for (const p of params) {
      const v = p.get(inputs);
      if (v !== undefined) {
        out[p.name] = v;
        any = true;
      }
    }
    return any ? encodeJson(out) : undefined;
  };
}

function formEncode(value: unknown): string {
  const form = new URLSearchParams();
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v) form.append(k, toText(item));
      else form.append(k, toText(v));
    }
    return form.toString();
  }
  return value === undefined || value === null ? '' : toText(value);
}

/** Operation `body:` templates, rendered JSON-aware and encoded for real. */
export function compileBodyTemplate(tpl: RequestBodyTemplate, scope: RawTemplateScope): BodyBuilder {
  switch (tpl.type) {
    case 'json': {
      const get = compileData(tpl.data, scope);
      return (inputs) => {
        const v = get(inputs);
        return v === undefined ? undefined : encodeJson(v);
      };
    }
    case 'text':
    case 'raw': {
      const get = compileData(tpl.data, scope);
      const contentType = tpl.type === 'text' ? 'text/plain; charset=utf-8' : 'application/octet-stream';
      return (inputs) => {
        const v = get(inputs);
        return v === undefined ? undefined : { body: toText(v), contentType };
      };
    }
    case 'formUrlEncoded': {
      const get = compileData(tpl.data, scope);
      return (inputs) => ({
        body: formEncode(get(inputs)),
        contentType: 'application/x-www-form-urlencoded',
      });
    }
    case 'multipartForm': {
      const parts = tpl.data.map((p) => ({ ...p, get: compileData(p.value, scope) }));
      return (inputs) => {
        const form = new FormData();
        for (const p of parts) {
          const v = p.get(inputs);
          if (v === undefined || v === null) continue;
          if (p.filename !== undefined || p.contentType !== undefined) {
            const bytes = v instanceof Uint8Array ? v : Buffer.from(toText(v), 'utf8');
            const blob = new Blob([bytes], { type: p.contentType ?? 'application/octet-stream' });
            form.append(p.name, blob, p.filename ?? p.name);
          } else {
            form.append(p.name, toText(v));
          }
        }
        return { body: form, contentType: undefined };
      };
    }
    default:
      return () => undefined;
  }
}
