// Stops the MongoDB-wire and Redis servers that `npm run dev` started in the background.
import { loadConfigOrExit } from '../src/bootstrap';
import { stopDevServices } from '../src/infra/embedded/embedded';

const config = loadConfigOrExit();
void stopDevServices(config.EMBEDDED_DATA_DIR).then((stopped) => {
  process.stdout.write(stopped.length ? `stopped: ${stopped.join(', ')}\n` : 'no embedded services were running\n');
});
