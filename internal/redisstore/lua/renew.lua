-- Extend a lease while its call is in flight.
-- KEYS: 1 lanes, 2 leases
-- ARGV: 1 lane, 2 token, 3 lease (ms)
-- Returns 1, or 0 when the token is stale.
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
  return 0
end
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], 'XX', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[3]), ARGV[1])
return 1
