-- The workspaces that may have posts to deliver now, by Redis's clock.
-- KEYS: 1 due (zset: workspace -> when to look)
-- ARGV: 1 how many at most
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
