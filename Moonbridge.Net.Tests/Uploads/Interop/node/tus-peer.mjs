// @tus/server with @tus/file-store: the reference tus 1.0 server run beside the example application, so that
// TusPeerComparisonTests.cs can send both the same requests and compare the answers. Loopback only.
//
//   node tus-peer.mjs --port PORT --dir DIRECTORY
//
// Serves /files on 127.0.0.1:PORT, keeping uploads in DIRECTORY, and prints "listening on PORT" once it accepts
// connections; it runs until it is killed. Bad arguments exit with 2.
//
// Configured as the example is, as far as @tus/server allows:
// - relativeLocation: Location is /files/{id}, as the example sends it (tus 1.0 allows either).
// - expirationPeriodInMilliseconds: a day, the example's lifetime, so that the expiration extension is claimed
//   and Upload-Expires sent (FileStore claims it only with a period set).
// - no maxSize: the example sets no MaxSize (it has no option for one), so neither sends Tus-Max-Size.
// Its extensions are FileStore's: creation, creation-with-upload, creation-defer-length, termination and
// expiration. FileStore has no checksum and no concatenation, and @tus/server has no option to add them (its
// PostHandler even asks the store for 'concatentation', sic, so every Upload-Concat request is a 501).

import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';

const usage = 'usage: node tus-peer.mjs --port PORT --dir DIRECTORY';
const dayInMilliseconds = 24 * 60 * 60 * 1000;

function fail(message) {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      port: { type: 'string' },
      dir: { type: 'string' },
    },
    strict: true,
  }).values;
} catch (error) {
  fail(error.message);
}

const port = Number(args.port);
if (!/^[0-9]+$/.test(args.port ?? '') || port < 1 || port > 65535) fail('--port is required (1-65535)');
if (!args.dir) fail('--dir is required');
fs.mkdirSync(args.dir, { recursive: true });

const server = new Server({
  path: '/files',
  datastore: new FileStore({ directory: args.dir, expirationPeriodInMilliseconds: dayInMilliseconds }),
  relativeLocation: true,
});

const listener = server.listen({ host: '127.0.0.1', port }, () => {
  process.stdout.write(`listening on ${port}\n`);
});
listener.on('error', (error) => {
  process.stderr.write(`tus-peer: ${error.message}\n`);
  process.exit(1);
});
