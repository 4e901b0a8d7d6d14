-- Applies one Zoom delivery to one meeting's roster, atomically.
-- KEYS: seen (SET), meeting (HASH), connections (HASH)
-- ARGV: fingerprint, ttl seconds, then groups of four: target ('m' meeting | 'c' connections), op, field, value
-- ops: set, setnx, incr, max (numeric), lww ("<ts>|<value>": the larger ts wins; equal ts: the larger string)
-- Every op but incr is commutative and idempotent, so deliveries may come in any order; the fingerprint makes a
-- repeated delivery change nothing at all. Returns 1 when applied, 0 for a repeat.
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
  return 0
end

local function newer(op, value, old)
  if op == 'max' then
    return tonumber(value) > tonumber(old)
  end
  local ts, old_ts = tonumber(string.match(value, '^(%d+)')), tonumber(string.match(old, '^(%d+)'))
  return ts > old_ts or (ts == old_ts and value > old)
end

for i = 3, #ARGV, 4 do
  local key = ARGV[i] == 'm' and KEYS[2] or KEYS[3]
  local op, field, value = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  if op == 'set' then
    redis.call('HSET', key, field, value)
  elseif op == 'setnx' then
    redis.call('HSETNX', key, field, value)
  elseif op == 'incr' then
    redis.call('HINCRBY', key, field, value)
  else
    local old = redis.call('HGET', key, field)
    if not old or newer(op, value, old) then
      redis.call('HSET', key, field, value)
    end
  end
end

local ttl = tonumber(ARGV[2])
for _, key in ipairs(KEYS) do
  redis.call('EXPIRE', key, ttl)
end
return 1
