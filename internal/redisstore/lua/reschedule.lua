-- Give a lane back under its lease, its job (rewritten with the attempt
-- counted) to be tried again after a delay. A rate limit closes the job's
-- bucket for as long, so no lane of any replica calls it meanwhile. Then,
-- when given a key prefix, lease the workspace's next lane (take, in
-- lease.lua, prepended).
-- KEYS: 1 lanes, 2 leases, 3 lane list, 4 limits, 5 fence
-- ARGV: 1 lane, 2 token, 3 delay (ms), 4 job entry, 5 bucket or '',
--       6 key prefix of the workspace or '', 7 lease (ms)
-- Returns what take returns, or 1 without a prefix, or 0 when the token is
-- stale.
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
  return 0
end
local t = redis.call('TIME')
local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[3])
redis.call('LSET', KEYS[3], 0, ARGV[4])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[1], at, ARGV[1])
-- The bucket stays closed a millisecond longer than asked: TIME is read to
-- the microsecond and kept to the millisecond, and a bucket must never open
-- before the platform's window ends.
if ARGV[5] ~= '' and at + 1 > tonumber(redis.call('HGET', KEYS[4], ARGV[5]) or '0') then
  redis.call('HSET', KEYS[4], ARGV[5], at + 1)
end
if ARGV[6] ~= '' then
  return take(KEYS[1], KEYS[2], KEYS[5], KEYS[4], ARGV[6], ARGV[7])
end
return 1
