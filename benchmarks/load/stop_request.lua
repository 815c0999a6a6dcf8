-- wrk script: POST the documented stop_request, with a sessionId as the real cloud makes it (e-mail, hyphen, package).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"stop_request","sessionId":"alice@example.com-org.example.sessioncounter","userId":"alice@example.com","timestamp":"2023-04-01T13:45:30Z","reason":"user_disabled"}'
