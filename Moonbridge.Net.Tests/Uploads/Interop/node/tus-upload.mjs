// Uploads one file with tus-js-client (its Node API) and prints one JSON line with the outcome, for
// TusJsClientTests.cs. Loopback only: the endpoint must be on 127.0.0.1, and so is the cutting proxy.
//
//   node tus-upload.mjs --endpoint http://127.0.0.1:PORT/files --file PATH
//        --protocol tus|ietf-draft-03|ietf-draft-05 [--chunk-size N] [--cut-after BYTES] [--cut-with fin|reset]
//        [--source buffer|file]
//
// stdout, last line: {"url":…,"status":…,"body":…,"bytesUploaded":N,"retries":K,"networkRetries":K,"cut":bool}
//   status/body: the response tus-js-client calls its last one (onSuccess's lastResponse). tus-js-client
//   needs Upload-Offset on the response that completes an upload; where that is missing it retries, and
//   the last response is then the HEAD that found the upload complete, whose body is empty.
//   retries: how many times tus-js-client decided to retry after an error (onShouldRetry said yes);
//   networkRetries: those of them after a failed connection rather than an unwelcome response.
//   cut: whether --cut-after actually cut a connection (false when the file had fewer body bytes).
// On failure the line has "error" (tus-js-client's message) beside the same fields, status and body being
// those of the response that failed (null after a failed connection), and the exit code is 1;
// bad arguments exit with 2. Every request, 1xx and response goes to stderr, for test failure messages.
//
// --cut-after BYTES puts a TCP proxy on 127.0.0.1 between the client and the server. It counts the bytes
// of request bodies (framed by Content-Length, which tus-js-client always sends with a body) and, once
// BYTES of them have gone through, forwards nothing more of that connection: the client side is reset,
// and the server side gets the bytes so far and then a FIN (--cut-with fin, the default) or a reset
// (--cut-with reset: the kernel then drops whatever the server had not read yet, so it keeps fewer bytes).
// That happens once; later connections are forwarded untouched, so tus-js-client resumes through the same
// proxy (HEAD, then PATCH).
//
// --source: the file is given to tus-js-client as a Buffer (the default), or as an fs.ReadStream ("file").
// The default is a Buffer because tus-js-client 4.3.1's file source marks a slice as the last one only when
// it spans the whole file (FileSource.slice: done = slice size >= file size), so in IETF mode a chunked or
// resumed upload never sends Upload-Complete: ?1 and stays incomplete on a conforming server; its Buffer
// source compares the slice's end instead. "file" is kept to show that.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tus from 'tus-js-client';

const usage = 'usage: node tus-upload.mjs --endpoint http://127.0.0.1:PORT/files --file PATH '
  + '--protocol tus|ietf-draft-03|ietf-draft-05 [--chunk-size N] [--cut-after BYTES] [--cut-with fin|reset] '
  + '[--source buffer|file]';
const protocols = new Map([['tus', 'tus-v1'], ['ietf-draft-03', 'ietf-draft-03'], ['ietf-draft-05', 'ietf-draft-05']]);

function fail(message) {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

function positiveInteger(text, name) {
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text) || Number(text) <= 0 || !Number.isSafeInteger(Number(text))) fail(`${name} must be a positive integer`);
  return Number(text);
}

let args;
try {
  args = parseArgs({
    options: {
      endpoint: { type: 'string' },
      file: { type: 'string' },
      protocol: { type: 'string' },
      'chunk-size': { type: 'string' },
      'cut-after': { type: 'string' },
      'cut-with': { type: 'string', default: 'fin' },
      source: { type: 'string', default: 'buffer' },
    },
    strict: true,
  }).values;
} catch (e) {
  fail(e.message);
}

if (!args.endpoint || !args.file || !args.protocol) fail('--endpoint, --file and --protocol are required');
if (!protocols.has(args.protocol)) fail(`unknown protocol ${args.protocol}`);
if (args.source !== 'buffer' && args.source !== 'file') fail('--source is buffer or file');
if (args['cut-with'] !== 'fin' && args['cut-with'] !== 'reset') fail('--cut-with is fin or reset');
const endpoint = URL.canParse(args.endpoint) ? new URL(args.endpoint) : fail('the endpoint is not a URL');
// Never anything but loopback: the proxy and the client are test tools, not something to point elsewhere.
if (endpoint.protocol !== 'http:' || endpoint.hostname !== '127.0.0.1') fail('the endpoint must be http://127.0.0.1:PORT/...');
const chunkSize = positiveInteger(args['chunk-size'], '--chunk-size') ?? Number.POSITIVE_INFINITY;
const cutAfter = positiveInteger(args['cut-after'], '--cut-after');

function trace(line) {
  process.stderr.write(`${line}\n`);
}

function headerText(rawHeaders) {
  const pairs = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
  return pairs.join(' | ');
}

// A proxy on 127.0.0.1 that cuts one connection after `limit` bytes of request bodies (see the top).
function startCuttingProxy(target, limit, reset) {
  const state = { cut: false, bodyBytes: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port) });
    const framing = { head: Buffer.alloc(0), bodyLeft: 0 };
    let dead = false;
    const close = () => {
      if (dead) return;
      dead = true;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    upstream.on('data', (data) => {
      if (!dead && !client.write(data)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    upstream.on('drain', () => client.resume());
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('data', (data) => {
      if (dead) return;
      const cutAt = state.cut ? -1 : countBody(data, framing, state, limit);
      if (cutAt < 0) {
        if (!upstream.write(data)) client.pause();
        return;
      }

      state.cut = true;
      dead = true;
      client.pause();
      trace(`~ proxy: cut the connection after ${state.bodyBytes} body bytes`);
      // The client gets a reset mid-request; the server gets the bytes up to the cut, then an end or a reset.
      client.resetAndDestroy();
      if (reset) upstream.write(data.subarray(0, cutAt), () => upstream.resetAndDestroy());
      else upstream.end(data.subarray(0, cutAt), () => upstream.destroy());
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, state, port: server.address().port }));
  });
}

// Walks one chunk of client-to-server bytes through the request framing; returns the index in the chunk
// at which `limit` body bytes are reached (the cut), or -1.
function countBody(data, framing, state, limit) {
  let i = 0;
  while (i < data.length) {
    if (framing.bodyLeft > 0) {
      const n = Math.min(framing.bodyLeft, data.length - i);
      if (state.bodyBytes + n >= limit) {
        const take = limit - state.bodyBytes;
        state.bodyBytes = limit;
        return i + take;
      }
      state.bodyBytes += n;
      framing.bodyLeft -= n;
      i += n;
      continue;
    }

    const seen = framing.head.length;
    const combined = Buffer.concat([framing.head, data.subarray(i)]);
    const end = combined.indexOf('\r\n\r\n');
    if (end < 0) {
      framing.head = combined;
      return -1;
    }

    const head = combined.subarray(0, end).toString('latin1');
    framing.head = Buffer.alloc(0);
    i += end + 4 - seen;
    const length = /^content-length:[ \t]*([0-9]+)[ \t]*$/im.exec(head);
    // A chunked body (tus-js-client sends none) is counted as body up to the connection's end.
    framing.bodyLeft = /^transfer-encoding:/im.test(head) ? Number.POSITIVE_INFINITY : length ? Number(length[1]) : 0;
  }
  return -1;
}

// tus-js-client's own Node HTTP stack, wrapped to trace each request's 1xx responses (which it ignores).
class TracingHttpStack {
  constructor() {
    this.inner = new tus.DefaultHttpStack({});
  }

  getName() {
    return 'TracingHttpStack';
  }

  createRequest(method, url) {
    const request = this.inner.createRequest(method, url);
    const send = request.send.bind(request);
    request.send = (body) => {
      const pending = send(body);
      // send() has made the ClientRequest synchronously: its headers are final, and its 'information'
      // events are the 1xx responses.
      const sent = request.getUnderlyingObject();
      const headers = Object.entries(sent.getHeaders()).map(([k, v]) => `${k}: ${v}`).join(' | ');
      trace(`> ${method} ${url} ${headers}`);
      sent.on('information', (info) => trace(`< ${info.statusCode} ${headerText(info.rawHeaders)}`));
      return pending;
    };
    return request;
  }
}

let proxy = null;
let uploadEndpoint = endpoint.toString();
if (cutAfter !== undefined) {
  proxy = await startCuttingProxy(endpoint, cutAfter, args['cut-with'] === 'reset');
  const proxied = new URL(endpoint);
  proxied.port = String(proxy.port);
  uploadEndpoint = proxied.toString();
}

let retries = 0;
let networkRetries = 0;
let accepted = 0;
const source = args.source === 'file' ? fs.createReadStream(args.file) : fs.readFileSync(args.file);

function finish(code, result) {
  result.retries = retries;
  result.networkRetries = networkRetries;
  result.cut = proxy?.state.cut ?? false;
  proxy?.server.close();
  if (args.source === 'file') source.destroy();
  // exit() only after the line is written: stdout may be a pipe.
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(code));
}

const upload = new tus.Upload(source, {
  endpoint: uploadEndpoint,
  protocol: protocols.get(args.protocol),
  chunkSize,
  retryDelays: [0, 100, 500],
  metadata: { filename: path.basename(args.file) },
  httpStack: new TracingHttpStack(),
  onAfterResponse: (_req, res) => {
    const raw = res.getUnderlyingObject();
    const body = res.getBody();
    trace(`< ${res.getStatus()} ${headerText(raw?.rawHeaders ?? [])}${body ? ` || ${body.trim()}` : ''}`);
  },
  onChunkComplete: (_size, bytesAccepted) => {
    accepted = bytesAccepted;
  },
  onShouldRetry: (err, attempt) => {
    // tus-js-client's default rule (retry unless a 4xx other than 409 and 423), counted.
    const status = err.originalResponse ? err.originalResponse.getStatus() : 0;
    const retry = !(status >= 400 && status < 500) || status === 409 || status === 423;
    trace(`~ error (attempt ${attempt}): ${err.message}${retry ? '; retrying' : ''}`);
    if (retry) {
      retries++;
      if (!err.originalResponse) networkRetries++;
    }
    return retry;
  },
  onSuccess: ({ lastResponse }) => {
    const offset = Number.parseInt(lastResponse.getHeader('Upload-Offset'), 10);
    finish(0, {
      url: upload.url,
      status: lastResponse.getStatus(),
      body: lastResponse.getBody(),
      bytesUploaded: Number.isNaN(offset) ? accepted : Math.max(accepted, offset),
    });
  },
  onError: (err) => {
    const response = err.originalResponse ?? null;
    finish(1, {
      error: err.message,
      url: upload.url,
      status: response ? response.getStatus() : null,
      body: response ? response.getBody() : null,
      bytesUploaded: accepted,
    });
  },
});
upload.start();
