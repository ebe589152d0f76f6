// Stops the servers `npm run dev` started in the background: MongoDB-wire (FerretDB and its PostgreSQL) and Redis.
import { loadConfigOrExit } from '../src/bootstrap';
import { stopDevServices } from '../src/infra/embedded/embedded';

const config = loadConfigOrExit();
void stopDevServices(config.EMBEDDED_DATA_DIR).then((stopped) => {
  process.stdout.write(stopped.length ? `stopped: ${stopped.join(', ')}\n` : 'no embedded services were running\n');
});
