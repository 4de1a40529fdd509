-- Finish a job: record what it left for later jobs, move its lane's cursor on
-- (never back), take it off the outbox, and put the lane's next job back on
-- it if that job was held for its turn. With a reason, park it in the
-- dead-letter stream first.
-- KEYS: 1 refs, 2 channels, 3 outbox, 4 dead, 5 held
-- ARGV: 1 entry ID, 2 lane, 3 seq, 4 channel opened or '', 5 root posted or '',
--       6 number, 7 reason or '', 8 job json
local cursor = 'done:' .. ARGV[2]
if tonumber(redis.call('HGET', KEYS[1], cursor) or '0') < tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], cursor, ARGV[3])
end
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'channel', ARGV[4])
  redis.call('HSET', KEYS[2], ARGV[4], ARGV[6])
end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'root', ARGV[5])
end
if ARGV[7] ~= '' then
  redis.call('XADD', KEYS[4], '*', 'job', ARGV[8], 'reason', ARGV[7])
end
redis.call('XACK', KEYS[3], 'delivery', ARGV[1])
redis.call('XDEL', KEYS[3], ARGV[1])
local done = tonumber(redis.call('HGET', KEYS[1], cursor))
local following = ARGV[6] .. ':' .. ARGV[2] .. ':' .. string.format('%d', done + 1)
local held = redis.call('HGET', KEYS[5], following)
if held then
  redis.call('XADD', KEYS[3], '*', 'job', held)
  redis.call('HDEL', KEYS[5], following)
end
return 1
