// The guard that every answer the server tests receive is what the OpenAPI document promises: each JSON
// response of a documented route is validated (ajv) against the schema documented for its status, and an
// undocumented status fails too, unless it is an error in the error contract. Clients are generated from
// that document (the web app, the SDK, the Python client), so a field the server leaves out where the
// document says "always there" crashes them: this finds it in the test that caused it.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Response } from 'superagent';
import type supertest from 'supertest';
import { buildOpenApiDocument } from '../../src/infra/http/openapi';
import '../../src/infra/http/validators';

type Schema = Record<string, unknown>;
interface Operation { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }
interface Route { template: string; pattern: RegExp; literals: number; operations: Record<string, Operation> }

const DEFS = 'openapi';

/**
 * OpenAPI 3.0's schema dialect as JSON Schema: `nullable: true` becomes a "null" alternative (JSON Schema has
 * no such keyword), component references point into one shared schema, and annotations ajv does not know
 * (example) go. Anything else unknown stays, so ajv's strict mode refuses it rather than ignore a rule.
 */
function toJsonSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (!s || typeof s !== 'object') return s;
  const { nullable, example: _example, ...rest } = s as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(rest)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace('#/components/schemas/', `${DEFS}#/$defs/`);
    else if (k === 'properties' && v && typeof v === 'object') out[k] = Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, toJsonSchema(ps)]));
    else if (k === 'enum' || k === 'required' || k === 'default') out[k] = v;
    else out[k] = toJsonSchema(v);
  }
  if (nullable !== true) return out;
  if (typeof out.type === 'string' && !out.$ref) {
    return { ...out, type: [out.type, 'null'], ...(Array.isArray(out.enum) ? { enum: [...(out.enum as unknown[]), null] } : {}) };
  }
  return { anyOf: [out, { type: 'null' }] };
}

/** Built on first use and kept for the test file: the document, its routes, one ajv and a cache of compiled validators. */
let state: { routes: Route[]; ajv: Ajv; compiled: Map<string, ValidateFunction>; errorSchema: Schema } | undefined;

function load() {
  if (state) return state;
  const doc = buildOpenApiDocument() as unknown as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
  ajv.addSchema({ $id: DEFS, $defs: Object.fromEntries(Object.entries(doc.components.schemas).map(([n, s]) => [n, toJsonSchema(s)])) });
  const routes = Object.entries(doc.paths).map(([template, operations]): Route => {
    const segments = template.split('/');
    const pattern = new RegExp(`^${segments.map((seg) => (/^\{[^/]+\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`);
    return { template, pattern, literals: segments.filter((seg) => !seg.startsWith('{')).length, operations };
  });
  // A literal segment beats a parameter (/assets/{id}/versions/from-blob before /assets/{id}/versions/{v}).
  routes.sort((a, b) => b.literals - a.literals);
  state = { routes, ajv, compiled: new Map(), errorSchema: { $ref: `${DEFS}#/$defs/Error` } };
  return state;
}

function validator(key: string, schema: Schema): ValidateFunction {
  const s = load();
  let v = s.compiled.get(key);
  if (!v) {
    v = s.ajv.compile(toJsonSchema(schema) as Schema);
    s.compiled.set(key, v);
  }
  return v;
}

const describeErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(the body)'} ${e.message ?? ''}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ');

const isJson = (contentType: string | undefined) => Boolean(contentType && /^application\/([\w.-]+\+)?json\b/i.test(contentType));

/**
 * Why this answer breaks the document, or null when it keeps it (or is not the document's to judge: a
 * route or method it does not describe, a body that is not JSON).
 */
export function nonconformance(method: string, url: string, res: Pick<Response, 'status' | 'headers' | 'body' | 'text'>): string | null {
  const m = method.toLowerCase();
  const contentType = res.headers['content-type'] as string | undefined;
  if (m === 'head' || !isJson(contentType)) return null;
  const path = new URL(url, 'http://test').pathname;
  const route = load().routes.find((r) => r.pattern.test(path) && r.operations[m]);
  if (!route) return null;
  const status = String(res.status);
  const where = `${method.toUpperCase()} ${path} answered ${status} (documented as ${method.toUpperCase()} ${route.template})`;
  let body: unknown = res.body;
  if (Buffer.isBuffer(body)) body = JSON.parse(body.toString('utf8'));
  else if ((body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && !Object.keys(body).length)) && res.text) body = JSON.parse(res.text);
  const responses = route.operations[m]!.responses ?? {};
  const documented = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
  if (!documented) {
    // An error status the route does not list is still the error contract every client reads.
    if (res.status >= 400) {
      const v = validator('Error', load().errorSchema);
      return v(body) ? null : `${where}: an error outside the error contract: ${describeErrors(v.errors)}; body ${JSON.stringify(body).slice(0, 300)}`;
    }
    return `${where}: the document lists no ${status} for this operation (it lists ${Object.keys(responses).join(', ')})`;
  }
  const media = Object.entries(documented.content ?? {}).find(([type]) => isJson(type));
  if (!media?.[1].schema) return `${where}: answered JSON, which the document does not say this status answers (${Object.keys(documented.content ?? {}).join(', ') || 'no body'})`;
  const v = validator(`${m} ${route.template} ${status} ${media[0]}`, media[1].schema);
  if (v(body)) return null;
  return `${where}: the body does not match its documented schema: ${describeErrors(v.errors)}; body ${JSON.stringify(body).slice(0, 300)}`;
}

type Agent = ReturnType<typeof supertest>;
type AssertFn = (resError: Error | null, res: Response | undefined, fn: (err: Error | null, res: Response | undefined) => void) => void;
const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'options', 'head']);

/**
 * A supertest agent whose every request is checked against the document once the test's own expectations
 * have passed (a wrong status the test expects is reported as the test's failure, not as the schema's).
 */
export function conformingAgent(agent: Agent): Agent {
  return new Proxy(agent, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || !VERBS.has(prop) || typeof value !== 'function') return value;
      const method = prop === 'del' ? 'delete' : prop;
      return (url: string) => {
        const test = (value as (u: string) => supertest.Test).call(target, url);
        const own = test as unknown as { assert: AssertFn };
        const assert = own.assert.bind(test);
        own.assert = (resError, res, fn) => assert(resError, res, function (this: unknown, err, r) {
          const problem = !err && r ? nonconformance(method, url, r) : null;
          fn.call(this, problem ? new Error(`OpenAPI response conformance: ${problem}`) : err, r);
        });
        return test;
      };
    },
  });
}
