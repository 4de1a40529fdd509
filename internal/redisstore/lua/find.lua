-- Resolve the incident a command is about, in one round trip.
-- KEYS: 1 request, 2 seq, 3 channels, 4 open
-- ARGV: 1 number (0: resolve), 2 channel, 3 incident key prefix, 4 how many open to list
-- Returns {"prior", reply} | {"incident", last, bound, json} | {"open", last, bound, json...}
-- where bound is the incident the channel belongs to, or 0.
local prior = redis.call('GET', KEYS[1])
if prior then
  return {'prior', prior}
end
local last = redis.call('GET', KEYS[2]) or '0'
local bound = '0'
if ARGV[2] ~= '' then
  bound = redis.call('HGET', KEYS[3], ARGV[2]) or '0'
end
local n = ARGV[1]
if n == '0' then
  n = bound
end
if n == '0' then
  local open = redis.call('ZREVRANGE', KEYS[4], 0, tonumber(ARGV[4]) - 1)
  if #open ~= 1 then
    local out = {'open', last, bound}
    for _, m in ipairs(open) do
      out[#out + 1] = redis.call('HGET', ARGV[3] .. m, 'json') or ''
    end
    return out
  end
  n = open[1]
end
return {'incident', last, bound, redis.call('HGET', ARGV[3] .. n, 'json') or ''}
