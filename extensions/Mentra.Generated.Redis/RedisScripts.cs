namespace Mentra.Generated.Redis;

/// <summary>
/// The Lua scripts of the coordinator, each one atomic on the server. Times are the server's (<c>TIME</c>), so that
/// the replicas' clocks never matter. Every key a script touches is passed in <c>KEYS</c> and carries the app's hash
/// tag, so that a Redis Cluster runs it in one slot.
/// </summary>
/// <remarks>
/// The keys: <c>owners</c>, a hash from session id to <c>replica|epoch|user</c>; <c>leases</c>, a sorted set of session
/// ids scored by when their lease ends (ms); <c>users</c>, a hash from user id to their session id; <c>epoch</c>, the
/// counter that numbers each claim; <c>photo:&lt;id&gt;</c>, the replica waiting for a photo; <c>webhook:&lt;hash&gt;</c>,
/// the answer of a session webhook for its retries.
/// </remarks>
internal static class RedisScripts
{
    /// <summary>The server's time in ms, as every script starts.</summary>
    private const string Now = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) ";

    /// <summary>
    /// Claims a session for this replica with a new epoch. KEYS: owners, leases, users, epoch. ARGV: session, replica,
    /// user, lease ms. Returns { epoch, the earlier owner's value when its lease was still running, or false }.
    /// </summary>
    public const string Claim = Now + @"
local old = redis.call('HGET', KEYS[1], ARGV[1])
local ends = redis.call('ZSCORE', KEYS[2], ARGV[1])
local epoch = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. epoch .. '|' .. ARGV[3])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[1])
if old and ends and tonumber(ends) > now then return { epoch, old } end
return { epoch, false }";

    /// <summary>
    /// Renews this replica's leases, owner-checked. KEYS: owners, leases, users, epoch. ARGV: replica, lease ms, then
    /// session and user for each session. A lease still this replica's (whatever its epoch: a claim of its own that the
    /// renewal raced) is extended; one that is gone (expired and pruned, or lost with a restarted server) is claimed again
    /// with a new epoch; one another replica holds is lost. Returns, for each session in order, the epoch now held, or 0
    /// when it is lost.
    /// </summary>
    public const string Renew = Now + @"
local ends = now + tonumber(ARGV[2])
local mine = ARGV[1] .. '|'
local out = {}
for i = 3, #ARGV, 2 do
  local sid, uid = ARGV[i], ARGV[i + 1]
  local cur = redis.call('HGET', KEYS[1], sid)
  if cur and string.sub(cur, 1, #mine) == mine then
    redis.call('ZADD', KEYS[2], ends, sid)
    out[#out + 1] = tonumber(string.match(cur, '^[^|]*|([^|]*)|'))
  elseif not cur then
    local e = redis.call('INCR', KEYS[4])
    redis.call('HSET', KEYS[1], sid, mine .. e .. '|' .. uid)
    redis.call('ZADD', KEYS[2], ends, sid)
    redis.call('HSET', KEYS[3], uid, sid)
    out[#out + 1] = e
  else
    out[#out + 1] = 0
  end
end
return out";

    /// <summary>
    /// Removes a session's lease when it holds exactly <c>ARGV[2]</c> (the owner's value, or the value a dead owner
    /// left): nobody else's lease is ever removed. KEYS: owners, leases, users. ARGV: session, value, user. Returns 1
    /// when removed.
    /// </summary>
    public const string Release = @"
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[3], ARGV[3]) == ARGV[1] then redis.call('HDEL', KEYS[3], ARGV[3]) end
return 1";

    /// <summary>
    /// The live owner of a session (<c>ARGV[1]</c> = 's', ARGV[2] its id) or of a user's session ('u', a user id).
    /// KEYS: owners, leases, users. Returns the owner's value (<c>replica|epoch|user</c>) and the session id, or false
    /// when there is none or its lease has ended.
    /// </summary>
    public const string Owner = Now + @"
local sid = ARGV[2]
if ARGV[1] == 'u' then
  sid = redis.call('HGET', KEYS[3], ARGV[2])
  if not sid then return false end
end
local cur = redis.call('HGET', KEYS[1], sid)
local ends = redis.call('ZSCORE', KEYS[2], sid)
if not cur or not ends or tonumber(ends) <= now then return false end
return { cur, sid }";

    /// <summary>
    /// The cluster's count of sessions: leases that ended are pruned first (at most 1000 a call, with their owners and
    /// users), then the rest counted. KEYS: owners, leases, users. Returns the count.
    /// </summary>
    public const string Count = Now + @"
local ended = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)
for _, sid in ipairs(ended) do
  local cur = redis.call('HGET', KEYS[1], sid)
  if cur then
    local uid = string.match(cur, '^[^|]*|[^|]*|(.*)$')
    if uid and redis.call('HGET', KEYS[3], uid) == sid then redis.call('HDEL', KEYS[3], uid) end
    redis.call('HDEL', KEYS[1], sid)
  end
  redis.call('ZREM', KEYS[2], sid)
end
return redis.call('ZCARD', KEYS[2])";
}
