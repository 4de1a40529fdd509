-- On Cluster, write one incident's entry in the open-incidents registry,
-- unless it was already written from this or a later version of the
-- incident: the hints of applied changes, from several replicas, may land
-- in any order, and the newest incident wins.
-- KEYS: 1 open (hash: "<workspace>:<number>" -> impact), 2 versions (same
--       fields -> the incident version each entry was written from)
-- ARGV: 1 field, 2 version, 3 impact, or "" once the incident is closed
local seen = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
if tonumber(ARGV[2]) <= seen then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
end
return 1
