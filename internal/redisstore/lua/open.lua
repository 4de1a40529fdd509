-- Write one incident's entry in the open-incidents registry, unless it was
-- already written from a later version of the incident: hints from several
-- replicas may land in any order, and the newest incident wins.
-- KEYS: 1 open (hash: "<workspace>:<number>" -> impact), 2 versions (same
--       fields -> the incident version each entry was written from)
-- ARGV: 1 field, 2 version, 3 impact, or "" once the incident is closed,
--       4 "settle" when read back from the stored incident: it wins a tie
--       with a hint that a refused plan of the same version sent
local seen = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
local version = tonumber(ARGV[2])
if version < seen or (version == seen and ARGV[4] ~= 'settle') then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
end
return 1
