-- Take a job off the outbox stream and into the retry set, due at a time.
-- KEYS: 1 outbox, 2 retry
-- ARGV: 1 entry ID, 2 due (ms), 3 job json
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('XACK', KEYS[1], 'delivery', ARGV[1])
redis.call('XDEL', KEYS[1], ARGV[1])
return 1
