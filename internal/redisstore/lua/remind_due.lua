-- List the workspaces due for a reminder scan, each with the count of
-- changes that listed it so far, for RemindLater to compare.
-- KEYS: 1 the reminder listing, 2 the count of changes by workspace
-- ARGV: 1 now (ms), 2 how many at most
-- Returns workspace, count, workspace, count, ...
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, ws in ipairs(due) do
  out[#out + 1] = ws
  out[#out + 1] = redis.call('HGET', KEYS[2], ws) or '0'
end
return out
