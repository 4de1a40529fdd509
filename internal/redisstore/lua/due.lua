-- Move the retries that are due back onto the outbox stream.
-- KEYS: 1 outbox, 2 retry
-- ARGV: 1 now (ms), 2 how many at most
-- Returns the due time (ms) of the next retry left, or -1.
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, job in ipairs(due) do
  redis.call('XADD', KEYS[1], '*', 'job', job)
  redis.call('ZREM', KEYS[2], job)
end
local next = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #next == 0 then
  return -1
end
return tonumber(next[2])
