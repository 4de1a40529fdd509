-- Lease the next lane of a workspace whose turn has come (see take in
-- lease.lua, prepended).
-- KEYS: 1 lanes, 2 leases, 3 fence, 4 limits
-- ARGV: 1 key prefix of the workspace, 2 lease (ms)
return take(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2])
