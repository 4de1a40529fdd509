-- take leases the next lane of a workspace whose turn has come: its job
-- due, no live lease on it, its rate-limit bucket open. An edit of the
-- broadcast root older than the newest queued for it is dropped unsent:
-- only the latest summary matters to readers, and the newest edit, behind
-- it in the lane, carries it. Times are Redis's own (TIME), shared by all
-- replicas. Prepended to the scripts that lease (take, done, reschedule),
-- so that finishing a job and leasing the next is one round trip.
-- lanes: zset lane -> when it may be taken; leases: lane -> token;
-- fence: lane -> last token; limits: bucket -> closed until;
-- prefix: key prefix of the workspace; lease: ms.
-- A lane's jobs are the list <prefix>lane:<lane>, each
-- "<op> <bucket> <seq>\n<job>"; an incident's refs hash holds, under 'edit',
-- the seq of the newest edit queued.
-- Returns {'job', lane, token, job, channel, root, taken over 1|0}
--       | {'none', when the next lane is due (ms) or -1}
local function take(lanes, leases, fence, limits, prefix, lease)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local due = redis.call('ZRANGEBYSCORE', lanes, '-inf', now, 'LIMIT', 0, 32)
  for _, lane in ipairs(due) do
    local list = prefix .. 'lane:' .. lane
    local number = string.match(lane, '^(%d+):')
    local refs = redis.call('HMGET', prefix .. 'inc:' .. number .. ':refs', 'channel', 'root', 'edit')
    local head = redis.call('LINDEX', list, 0)
    local nl, sp, bucket
    while head do
      nl = string.find(head, '\n', 1, true) or (#head + 1)
      sp = string.find(head, ' ', 1, true) or nl
      local header = string.sub(head, sp + 1, nl - 1)
      local seq
      bucket, seq = string.match(header, '^(%S*) (%d+)$')
      if not bucket then
        bucket = header -- queued before entries carried their seq
      end
      if string.sub(head, 1, 5) ~= 'edit ' or not seq or not refs[3] or tonumber(seq) >= tonumber(refs[3]) then
        break
      end
      redis.call('LPOP', list)
      head = redis.call('LINDEX', list, 0)
    end
    if not head then
      redis.call('ZREM', lanes, lane)
      redis.call('HDEL', leases, lane)
    else
      local closed = tonumber(redis.call('HGET', limits, bucket) or '0')
      if closed > now then
        redis.call('ZADD', lanes, closed, lane)
      else
        if closed > 0 then
          redis.call('HDEL', limits, bucket)
        end
        local prior = redis.call('HGET', leases, lane)
        local token = redis.call('HINCRBY', fence, lane, 1)
        redis.call('HSET', leases, lane, token)
        redis.call('ZADD', lanes, now + tonumber(lease), lane)
        local over = 0
        if prior then
          over = 1
        end
        return {'job', lane, token, string.sub(head, nl + 1), refs[1] or '', refs[2] or '', over}
      end
    end
  end
  local next = redis.call('ZRANGE', lanes, 0, 0, 'WITHSCORES')
  if #next == 0 then
    return {'none', -1}
  end
  return {'none', tonumber(next[2])}
end

