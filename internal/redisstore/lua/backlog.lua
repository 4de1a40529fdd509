-- Count a workspace's jobs still to deliver, and those parked.
-- KEYS: 1 lanes, 2 dead
-- ARGV: 1 key prefix of the workspace
local queued = 0
for _, lane in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  queued = queued + redis.call('LLEN', ARGV[1] .. 'lane:' .. lane)
end
return {queued, redis.call('XLEN', KEYS[2])}
