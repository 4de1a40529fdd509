-- List a scanned workspace for its next scan, if no change listed it while
-- it was scanned: the scan may have read the incidents before that change,
-- so it stays due, to be scanned again. A workspace the scan did not see
-- listed is only ever listed sooner.
-- KEYS: 1 the reminder listing, 2 the count of changes by workspace
-- ARGV: 1 the workspace, 2 the count the scan saw or '', 3 the next scan
--       (ms) or '' for none
if ARGV[2] == '' then
  if ARGV[3] ~= '' then
    redis.call('ZADD', KEYS[1], 'LT', ARGV[3], ARGV[1])
  end
  return 1
end
if (redis.call('HGET', KEYS[2], ARGV[1]) or '0') ~= ARGV[2] then
  return 0
end
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return 1
