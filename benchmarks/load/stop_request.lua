-- wrk script: POST the documented stop_request example.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"stop_request","sessionId":"session-123456","userId":"user-789012","timestamp":"2023-04-01T13:45:30Z","reason":"user_disabled"}'
