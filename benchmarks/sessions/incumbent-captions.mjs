// The same app as the sample (live captions) on the incumbent, @mentra/sdk 2.1.29: final transcriptions to a text
// wall, interim ones handled and not shown. For benchmarks/sessions/run.sh.
import { AppServer } from '@mentra/sdk';

class Captions extends AppServer {
  async onSession(session) {
    session.events.onTranscription((data) => {
      if (data.isFinal) {
        session.layouts.showTextWall(data.text);
      }
    });
  }

  async onStop() {}
}

new Captions({
  packageName: process.env.PACKAGE_NAME,
  apiKey: process.env.MENTRAOS_API_KEY,
  port: parseInt(process.env.PORT, 10),
  healthCheck: true,
}).start();
