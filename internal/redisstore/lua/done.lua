-- Finish a lane's job under its lease: record what it left for later jobs,
-- park it in the dead-letter stream when given a reason, take it off the
-- lane, and give the lane back, due at once when more jobs wait in it;
-- then, when given a key prefix, lease the workspace's next lane (take, in
-- lease.lua, prepended).
-- KEYS: 1 lanes, 2 leases, 3 lane list, 4 refs, 5 channels, 6 dead,
--       7 fence, 8 limits
-- ARGV: 1 lane, 2 token, 3 channel opened or '', 4 root posted or '',
--       5 number, 6 reason or '', 7 job (parked), 8 records the dead-letter
--       stream keeps, 9 key prefix of the workspace or '', 10 lease (ms)
-- Returns what take returns, or 1 without a prefix, or 0 when the token is
-- stale: another replica took the lane.
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('LPOP', KEYS[3])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[4], 'channel', ARGV[3])
  redis.call('HSET', KEYS[5], ARGV[3], ARGV[5])
end
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[4], 'root', ARGV[4])
end
if ARGV[6] ~= '' then
  redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[8], '*', 'job', ARGV[7], 'reason', ARGV[6], 'lane', ARGV[1])
end
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('LLEN', KEYS[3]) > 0 then
  local t = redis.call('TIME')
  redis.call('ZADD', KEYS[1], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
if ARGV[9] ~= '' then
  return take(KEYS[1], KEYS[2], KEYS[7], KEYS[8], ARGV[9], ARGV[10])
end
return 1
