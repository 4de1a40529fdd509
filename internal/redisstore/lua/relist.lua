-- List a workspace for its next due time (or not at all) once a drain found
-- nothing more to take, unless posts were queued for it since the drain
-- began: then it stays due, and the next sweep looks again.
-- KEYS: 1 due, 2 queued (hash: workspace -> posts queued, a counter)
-- ARGV: 1 workspace, 2 counter seen when the drain began, 3 next due (ms) or -1
if (redis.call('HGET', KEYS[2], ARGV[1]) or '0') ~= ARGV[2] then
  return 0
end
if tonumber(ARGV[3]) < 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return 1
