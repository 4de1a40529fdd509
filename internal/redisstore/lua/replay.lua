-- Send a parked post again: back at the end of its lane, which is due at
-- once unless it is leased or waiting, and off the dead-letter stream.
-- KEYS: 1 dead, 2 lanes, 3 lane list
-- ARGV: 1 entry ID, 2 lane, 3 job entry
-- Returns 1, or 0 when the entry is no longer parked.
if #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then
  return 0
end
local t = redis.call('TIME')
redis.call('RPUSH', KEYS[3], ARGV[3])
redis.call('ZADD', KEYS[2], 'NX', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[1])
return 1
