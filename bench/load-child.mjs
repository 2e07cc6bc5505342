// Runs autocannon through its API in a process of its own (so the load generator never shares the server's
// event loop) and prints its result as JSON, like `autocannon --json`. Options come as JSON in argv[2].
// NOTE: the API rather than the command line for `shiftMinutes`: each request's planned start and end move
// that many minutes later than the one before, so every change filed gets a slot of its own, as real ones do.
import autocannon from 'autocannon';

const opts = JSON.parse(process.argv[2]);
let sent = 0;
const shifted = (body) => {
  const change = JSON.parse(body);
  const offset = sent++ * opts.shiftMinutes * 60_000;
  for (const key of ['plannedStart', 'plannedEnd']) if (change[key]) change[key] = new Date(Date.parse(change[key]) + offset).toISOString();
  return JSON.stringify(change);
};
const result = await autocannon({
  url: opts.url,
  method: opts.method,
  headers: opts.headers,
  body: opts.body,
  connections: opts.connections,
  duration: opts.seconds,
  requests: opts.shiftMinutes && opts.body ? [{ method: opts.method, setupRequest: (req) => ({ ...req, body: shifted(opts.body) }) }] : undefined,
});
process.stdout.write(JSON.stringify(result));
