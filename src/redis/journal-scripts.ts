/**
 * The Lua that makes the Redis journal safe with several writers: each script runs
 * atomically in Redis, so the lease check and the append, or the lease test-and-set, cannot
 * interleave with another client's. Every key a script touches shares the run's hash tag,
 * so the scripts run unchanged on Redis Cluster.
 *
 * Lease value: `<token>|<holder JSON>`, with a PX expiry; the token comes from a per-run counter
 * that never goes back, so tokens are fencing tokens.
 */

/**
 * KEYS: events, lease, fence. ARGV: first seq, token ('' for none), events' JSON...
 * A lease that expired while nobody took a newer token (Redis was down longer than the
 * lease, say) is still good: the fence counter proves no other owner came.
 */
export const APPEND = `
local cur = redis.call('GET', KEYS[2])
if cur then
  local tok = string.match(cur, '^(%d+)|')
  if tok ~= ARGV[2] then return redis.error_reply('STALE_LEASE ' .. cur) end
elseif ARGV[2] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[2] then
  return redis.error_reply('STALE_LEASE none')
end
local len = redis.call('LLEN', KEYS[1])
if tonumber(ARGV[1]) ~= len then return redis.error_reply('SEQ_CONFLICT ' .. len) end
local n = #ARGV
local i = 3
while i <= n do
  local j = math.min(i + 999, n)
  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, j))
  i = j + 1
end
return len + n - 2
`;

/**
 * KEYS: lease, fence. ARGV: holder JSON, ttl ms, the value seen held by a dead holder ('' for
 * none): that lease is taken over as if expired. Returns {token, ttl}, or {-1, pttl, value}
 * while another holder has it.
 */
export const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[3] then
  return {-1, redis.call('PTTL', KEYS[1]), cur}
end
local tok = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], tok .. '|' .. ARGV[1], 'PX', ARGV[2])
return {tok, tonumber(ARGV[2])}
`;

/**
 * KEYS: lease, fence. ARGV: '<token>|<owner>', ttl ms, token. 1 when renewed; an expired
 * lease nobody took since (the fence still at its token) is taken back.
 */
export const RENEW = `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not cur and redis.call('GET', KEYS[2]) == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

/**
 * KEYS: lease, fence. ARGV: '<token>|<holder>'. Moving the fence on makes the released token
 * stale at once (a lapsed lease, by contrast, stays good until someone takes a newer one).
 */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('INCR', KEYS[2])
  return 1
end
return 0
`;
