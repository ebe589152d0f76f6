// Starts the MongoDB-wire server .ci/run tests against (mongod if on PATH, else FerretDB on a throw-away
// PostgreSQL cluster), detached, with the same code as `npm test` and `npm run dev`, and prints shell
// assignments for the caller to eval: the server's URL and the pids to stop, with the signal each needs.
import { startMongo } from '../src/infra/embedded/embedded';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: tsx scripts/ci-services.ts <data dir>\n');
  process.exit(2);
}

startMongo({ dataDir, detached: true, persistent: false }).then(
  (mongo) => {
    const stops = [`TERM:${mongo.pid}`];
    // PostgreSQL's fast shutdown is SIGINT (its SIGTERM waits for every client to leave).
    if (mongo.backend) stops.push(`INT:${mongo.backend.pid}`);
    process.stdout.write(`mongo_url='${mongo.url}'\nmongo_kind='${mongo.kind}'\nmongo_stops='${stops.join(' ')}'\n`);
  },
  (err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  },
);
