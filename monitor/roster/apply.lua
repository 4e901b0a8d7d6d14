-- Applies one Zoom delivery to one meeting's roster, atomically, and returns a snapshot of the meeting as it
-- then stands.
-- KEYS: seen (SET), meeting, conditions, connections, joins, leaves, people, present (HASHes)
-- ARGV: fingerprint, ttl seconds, then groups of four: target, op, field, value
--   targets: m meeting, c connections, j joins, l leaves, p people
--   ops: setnx, incr, max (numeric), lww ("<ts>|<value>": the larger ts wins; equal ts: the larger string),
--   lwwd (as lww, but on equal ts the one delivered later wins)
-- Every op but incr and lwwd is commutative and idempotent, so deliveries may come in any order; the fingerprint
-- makes a repeated delivery change nothing at all.
-- Returns {1 applied | 0 repeat, meeting (flat), the person of each connection present (none once ended),
-- conditions (flat)}.
local target = {m = KEYS[2], c = KEYS[4], j = KEYS[5], l = KEYS[6], p = KEYS[7]}

local function snapshot(applied)
  local present = {}
  if redis.call('HEXISTS', KEYS[2], 'ended_at') == 0 then
    present = redis.call('HVALS', KEYS[8])
  end
  return {applied, redis.call('HGETALL', KEYS[2]), present, redis.call('HGETALL', KEYS[3])}
end

-- A connection is present while its latest join is later than its latest leave.
local function update_presence(conn)
  local join, leave = redis.call('HGET', KEYS[5], conn), redis.call('HGET', KEYS[6], conn)
  if join and (not leave or tonumber(join) > tonumber(leave)) then
    redis.call('HSET', KEYS[8], conn, redis.call('HGET', KEYS[7], conn) or ('connection:' .. conn))
  else
    redis.call('HDEL', KEYS[8], conn)
  end
end

if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
  return snapshot(0)
end

local function newer(op, value, old)
  if op == 'max' then
    return tonumber(value) > tonumber(old)
  end
  local ts, old_ts = tonumber(string.match(value, '^(%d+)')), tonumber(string.match(old, '^(%d+)'))
  if op == 'lwwd' then
    return ts >= old_ts
  end
  return ts > old_ts or (ts == old_ts and value > old)
end

for i = 3, #ARGV, 4 do
  local key, op, field, value = target[ARGV[i]], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  if op == 'setnx' then
    redis.call('HSETNX', key, field, value)
  elseif op == 'incr' then
    redis.call('HINCRBY', key, field, value)
  else
    local old = redis.call('HGET', key, field)
    if not old or newer(op, value, old) then
      redis.call('HSET', key, field, value)
    end
  end
  if ARGV[i] == 'j' or ARGV[i] == 'l' then
    update_presence(field)
  end
end

local ttl = tonumber(ARGV[2])
for _, key in ipairs(KEYS) do
  redis.call('EXPIRE', key, ttl)
end
return snapshot(1)
