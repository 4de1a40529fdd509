-- Hold a job until the job before it in its lane is finished (done.lua puts
-- it back then), unless that job finished meanwhile. Checked and moved in one
-- step, so a finish can never slip between the look and the hold.
-- KEYS: 1 refs, 2 outbox, 3 held
-- ARGV: 1 entry ID, 2 lane, 3 seq, 4 number, 5 job json
-- Returns 1 when held, 0 when it is the job's turn.
local done = tonumber(redis.call('HGET', KEYS[1], 'done:' .. ARGV[2]) or '0')
if done >= tonumber(ARGV[3]) - 1 then
  return 0
end
redis.call('HSET', KEYS[3], ARGV[4] .. ':' .. ARGV[2] .. ':' .. ARGV[3], ARGV[5])
redis.call('XACK', KEYS[2], 'delivery', ARGV[1])
redis.call('XDEL', KEYS[2], ARGV[1])
return 1
