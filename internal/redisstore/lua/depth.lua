-- What waits in a workspace's outbox: how many jobs, and each lane's head
-- (the oldest job of its lane), for the metrics.
-- KEYS: 1 lanes
-- ARGV: 1 key prefix of the workspace
local queued = 0
local heads = {}
for _, lane in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local list = ARGV[1] .. 'lane:' .. lane
  queued = queued + redis.call('LLEN', list)
  local head = redis.call('LINDEX', list, 0)
  if head then
    table.insert(heads, head)
  end
end
return {queued, heads}
