-- Apply one change atomically: check the version read, write the incident,
-- append the timeline entry, update the indexes, enqueue the posts, and
-- remember the reply under the request ID.
-- KEYS: 1 request, 2 incident, 3 timeline, 4 seq, 5 open, 6 all, 7 lanes, 8 audit,
--       9 refs, 10.. the list of each job's lane, and last, when ARGV 11 is
--       set, the open incidents of every workspace
-- ARGV: 1 new version, 2 incident json, 3 number, 4 open (1|0), 5 declared (ms),
--       6 entry json or '', 7 reply json, 8 reply TTL (s), 9 audit json or '',
--       10 records the audit trail keeps, 11 the incident's field among the
--       open incidents of every workspace, or '' on Cluster, where they live
--       in another slot, 12 its impact while open, 13.. per job: its lane,
--       its entry
-- A lane new to the outbox is due at once; one already listed keeps its
-- time (a retry's, a lease's), and the new job waits its turn behind. The
-- incident's refs note the newest edit of the broadcast root, so that
-- delivery drops the older edits still queued.
-- Returns {"prior", reply} | {"conflict"} | {"ok"}
local prior = redis.call('GET', KEYS[1])
if prior then
  return {'prior', prior}
end
local version = tonumber(ARGV[1])
if version == 1 then
  if redis.call('EXISTS', KEYS[2]) == 1 then
    return {'conflict'}
  end
  if tonumber(redis.call('GET', KEYS[4]) or '0') ~= tonumber(ARGV[3]) - 1 then
    return {'conflict'}
  end
  redis.call('SET', KEYS[4], ARGV[3])
elseif tonumber(redis.call('HGET', KEYS[2], 'version') or '0') ~= version - 1 then
  return {'conflict'}
end
redis.call('HSET', KEYS[2], 'version', ARGV[1], 'json', ARGV[2])
if ARGV[6] ~= '' then
  redis.call('RPUSH', KEYS[3], ARGV[6])
end
redis.call('ZADD', KEYS[6], ARGV[5], ARGV[3])
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[5], ARGV[5], ARGV[3])
else
  redis.call('ZREM', KEYS[5], ARGV[3])
end
if ARGV[11] ~= '' then
  if ARGV[4] == '1' then
    redis.call('HSET', KEYS[#KEYS], ARGV[11], ARGV[12])
  else
    redis.call('HDEL', KEYS[#KEYS], ARGV[11])
  end
end
if #ARGV > 12 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  for i = 13, #ARGV, 2 do
    redis.call('RPUSH', KEYS[10 + (i - 13) / 2], ARGV[i + 1])
    local edit = string.match(ARGV[i + 1], '^edit %S* (%d+)\n')
    if edit then
      redis.call('HSET', KEYS[9], 'edit', edit)
    end
    redis.call('ZADD', KEYS[7], 'NX', now, ARGV[i])
  end
end
if ARGV[9] ~= '' then
  redis.call('XADD', KEYS[8], 'MAXLEN', '~', ARGV[10], '*', 'record', ARGV[9])
end
redis.call('SET', KEYS[1], ARGV[7], 'EX', ARGV[8])
return {'ok'}
