-- wrk script: POST a session_request as the real cloud sends it (three URL fields, e-mail ids).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"session_request","sessionId":"alice@example.com-org.example.sessioncounter","userId":"alice@example.com","timestamp":"2026-06-27T21:54:26.123Z","websocketUrl":"wss://cloud.mentra.glass/ws/miniapp","mentraOSWebsocketUrl":"wss://cloud.mentra.glass/app-ws","augmentOSWebsocketUrl":"wss://cloud.mentra.glass/app-ws"}'
