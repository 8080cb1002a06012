import { contextOf } from '../../src/policy/callContext';
import { describe, expect, it } from 'vitest';
import { composePolicy, type ScopeDocuments } from '../../src/policy/compose';
import { executePolicy } from '../../src/policy/execute';
import { formatTraceEntry } from '../../src/policy/step';
import { bodyText, compiled, makeCall, policies } from './fakes';

const none: ScopeDocuments = { global: null, product: null, api: null, operation: null };
const apiPolicy = (sections: Parameters<typeof policies>[0]) => composePolicy({ ...none, api: compiled(policies(sections), 'api') });

describe('executePolicy', () => {
  it('runs inbound, calls the backend with the changed request, then outbound', async () => {
    const seen: string[] = [];
    const call = makeCall({
      backend: async (c) => {
        seen.push(`${c.method} ${c.backendRequestUrl()} x=${c.headers.first('X-In')}`);
        return { status: 201, headers: [['Content-Type', 'text/plain']], body: Buffer.from('made') };
      },
    });
    const policy = apiPolicy({
      inbound: '<base /><set-header name="X-In"><value>1</value></set-header>',
      outbound: '<base /><set-header name="X-Out"><value>2</value></set-header>',
    });
    const response = await executePolicy(policy, call);
    expect(seen).toEqual(['GET https://backend.example/api/resource?param1=sample x=1']);
    expect(response.status).toBe(201);
    expect(response.reason).toBe('Created');
    expect(response.headers.toList()).toEqual([['Content-Type', 'text/plain'], ['X-Out', '2']]);
    expect(bodyText(response.body)).toBe('made');
    expect(call.trace?.map(formatTraceEntry)).toEqual([
      "set-header (api echo-api, line 1): override 'X-In'",
      'forward-request (global, line 1): backend answered 201',
      "set-header (api echo-api, line 1): override 'X-Out'",
    ]);
  });

  it('answers 200 with an empty body when the backend section forwards nothing', async () => {
    let called = false;
    const call = makeCall({
      backend: async () => {
        called = true;
        return { status: 500, headers: [], body: new Uint8Array() };
      },
    });
    const response = await executePolicy(apiPolicy({ backend: '' }), call);
    expect(called).toBe(false);
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(0);
  });

  it('return-response in inbound ends the run: no backend, no outbound', async () => {
    let called = false;
    const call = makeCall({ backend: async () => ((called = true), { status: 200, headers: [], body: new Uint8Array() }) });
    const policy = apiPolicy({
      inbound: '<return-response><set-status code="418" reason="Teapot" /><set-header name="A"><value>b</value></set-header><set-body>short</set-body></return-response>',
      outbound: '<set-header name="X-Out"><value>2</value></set-header>',
    });
    const response = await executePolicy(policy, call);
    expect(called).toBe(false);
    expect([response.status, response.reason, response.headers.toList(), bodyText(response.body)]).toEqual([418, 'Teapot', [['A', 'b']], 'short']);
  });

  it('return-response in outbound replaces the backend answer', async () => {
    const response = await executePolicy(apiPolicy({ outbound: '<return-response><set-status code="202" /></return-response>' }), makeCall());
    expect(response.status).toBe(202);
    expect(response.body.length).toBe(0);
  });

  it('a failing backend goes to on-error, which sees context.LastError', async () => {
    const call = makeCall({
      backend: async () => {
        throw Object.assign(new Error('connection refused'), { reason: 'BackendConnectionFailure' });
      },
    });
    const policy = apiPolicy({
      'on-error': '<return-response><set-status code="503" /><set-body>@(context.LastError.Source)</set-body></return-response>',
    });
    const response = await executePolicy(policy, call);
    expect(response.status).toBe(503);
    expect(bodyText(response.body)).toBe('forward-request');
    expect(call.lastError).toMatchObject({ Source: 'forward-request', Reason: 'BackendConnectionFailure', Message: 'connection refused', Scope: 'global', Section: 'backend' });
    expect(call.trace?.[0]?.decision).toBe('failed: connection refused');
  });

  it('on-error that edits the response answers with it', async () => {
    const call = makeCall({ backend: async () => Promise.reject(new Error('down')) });
    const response = await executePolicy(apiPolicy({ 'on-error': '<set-status code="504" reason="Gateway Timeout" /><set-header name="X-Err"><value>1</value></set-header>' }), call);
    expect([response.status, response.headers.first('X-Err')]).toEqual([504, '1']);
  });

  it('an error with nothing in on-error gets APIM 500 with the request id', async () => {
    const call = makeCall({ backend: async () => Promise.reject(new Error('down')) });
    const response = await executePolicy(composePolicy(none), call);
    expect(response.status).toBe(500);
    expect(bodyText(response.body)).toBe('{ "statusCode": 500, "message": "Internal server error", "activityId": "00000000-0000-4000-8000-000000000001" }');
    expect(response.headers.first('Content-Type')).toBe('application/json');
  });

  it('an expression that throws is an error of its element; on-error that only sets a variable still gets the 500', async () => {
    const call = makeCall();
    const response = await executePolicy(apiPolicy({ inbound: '<set-variable name="v" value="@(throw)" />', 'on-error': '<set-variable name="e" value="1" />' }), call);
    expect(response.status).toBe(500);
    expect(call.lastError?.Source).toBe('set-variable');
    expect(call.lastError?.Section).toBe('inbound');
  });

  it('an error inside on-error gets the 500', async () => {
    const call = makeCall({ backend: async () => Promise.reject(new Error('down')) });
    const response = await executePolicy(apiPolicy({ 'on-error': '<set-variable name="v" value="@(throw)" />' }), call);
    expect(response.status).toBe(500);
  });

  it('keeps no trace when tracing is off', async () => {
    const call = makeCall({ trace: false });
    await executePolicy(apiPolicy({ inbound: '<set-variable name="a" value="1" />' }), call);
    expect(call.trace).toBeNull();
  });

  it('builds the expression context only when an expression runs, and reads live state', async () => {
    const call = makeCall();
    await executePolicy(apiPolicy({ inbound: '<set-header name="A"><value>plain</value></set-header>' }), call);
    expect(call.expressionView).toBeNull();
    const context = contextOf(call);
    expect(call.expressionView).toBe(context);
    expect(context.Response?.StatusCode).toBe(200);
    call.response!.status = 404;
    expect(context.Response?.StatusCode).toBe(404);
    expect(context.Request.Url.Path).toBe('/api/resource');
    expect(context.Request.Url.Host).toBe('backend.example');
    expect(context.Request.OriginalUrl.Path).toBe('/echo/resource');
    expect(context.Request.Headers.get('a')).toEqual(['plain']);
    expect(context.Subscription?.Id).toBe('sub-1');
    expect(context.Product?.Name).toBe('Starter');
  });
});
