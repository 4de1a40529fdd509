-- Lease the next lane of a workspace whose turn has come: its job due, no
-- live lease on it, its rate-limit bucket open. Consecutive edits of the
-- broadcast root at the head collapse to the newest: only the latest summary
-- matters to readers. Times are Redis's own (TIME), shared by all replicas.
-- KEYS: 1 lanes (zset: lane -> when it may be taken), 2 leases (lane -> token),
--       3 fence (lane -> last token), 4 limits (bucket -> closed until)
-- ARGV: 1 key prefix of the workspace, 2 lease (ms)
-- A lane's jobs are the list <prefix>lane:<lane>, each "<op> <bucket>\n<job>".
-- Returns {'job', lane, token, job, channel, root, taken over 1|0}
--       | {'none', when the next lane is due (ms) or -1}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 32)
for _, lane in ipairs(due) do
  local list = ARGV[1] .. 'lane:' .. lane
  local head = redis.call('LINDEX', list, 0)
  while head and string.sub(head, 1, 5) == 'edit ' do
    local after = redis.call('LINDEX', list, 1)
    if not after or string.sub(after, 1, 5) ~= 'edit ' then
      break
    end
    redis.call('LPOP', list)
    head = after
  end
  if not head then
    redis.call('ZREM', KEYS[1], lane)
    redis.call('HDEL', KEYS[2], lane)
  else
    local nl = string.find(head, '\n', 1, true) or (#head + 1)
    local sp = string.find(head, ' ', 1, true) or nl
    local bucket = string.sub(head, sp + 1, nl - 1)
    local closed = tonumber(redis.call('HGET', KEYS[4], bucket) or '0')
    if closed > now then
      redis.call('ZADD', KEYS[1], closed, lane)
    else
      if closed > 0 then
        redis.call('HDEL', KEYS[4], bucket)
      end
      local prior = redis.call('HGET', KEYS[2], lane)
      local token = redis.call('HINCRBY', KEYS[3], lane, 1)
      redis.call('HSET', KEYS[2], lane, token)
      redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), lane)
      local number = string.match(lane, '^(%d+):')
      local refs = redis.call('HMGET', ARGV[1] .. 'inc:' .. number .. ':refs', 'channel', 'root')
      local over = 0
      if prior then
        over = 1
      end
      return {'job', lane, token, string.sub(head, nl + 1), refs[1] or '', refs[2] or '', over}
    end
  end
end
local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #next == 0 then
  return {'none', -1}
end
return {'none', tonumber(next[2])}
