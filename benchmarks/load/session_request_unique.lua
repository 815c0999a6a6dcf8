-- wrk script: POST session_requests that are each new (a distinct timestamp per request), as many users starting
-- sessions send them: with the Redis coordinator, each is claimed as a first webhook, never answered as a retry.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
local run = math.random(1, 1000000000) -- each wrk run's own, so that no round repeats another's bodies
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"type":"session_request","sessionId":"alice@example.com-org.example.sessioncounter","userId":"alice@example.com","timestamp":"2026-06-27T21:54:26.123Z","seq":"' .. run .. '-' .. counter .. '","websocketUrl":"wss://cloud.mentra.glass/ws/miniapp","mentraOSWebsocketUrl":"wss://cloud.mentra.glass/app-ws","augmentOSWebsocketUrl":"wss://cloud.mentra.glass/app-ws"}'
  return wrk.format(nil, nil, nil, body)
end
