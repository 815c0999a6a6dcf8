// The incumbent TypeScript SDK (@mentra/sdk), as its docs show a minimal app, for side-by-side load tests.
import { AppServer } from '@mentra/sdk';

class App extends AppServer {
  async onSession() {}
  async onStop() {}
}

new App({ packageName: 'org.example.sessioncounter', apiKey: 'load-test', port: parseInt(process.env.PORT, 10) }).start();
