-- Resolve the incident a command is about, in one round trip.
-- KEYS: 1 request, 2 seq, 3 channels, 4 open
-- ARGV: 1 number (0: resolve), 2 channel, 3 incident key prefix, 4 how many open to list
-- Returns {"prior", reply} | {"incident", last, json} | {"open", last, json...}
local prior = redis.call('GET', KEYS[1])
if prior then
  return {'prior', prior}
end
local last = redis.call('GET', KEYS[2]) or '0'
local n = ARGV[1]
if n == '0' and ARGV[2] ~= '' then
  n = redis.call('HGET', KEYS[3], ARGV[2]) or '0'
end
if n == '0' then
  local open = redis.call('ZREVRANGE', KEYS[4], 0, tonumber(ARGV[4]) - 1)
  if #open ~= 1 then
    local out = {'open', last}
    for _, m in ipairs(open) do
      out[#out + 1] = redis.call('HGET', ARGV[3] .. m, 'json') or ''
    end
    return out
  end
  n = open[1]
end
return {'incident', last, redis.call('HGET', ARGV[3] .. n, 'json') or ''}
