import { createHash } from 'node:crypto';

/**
 * The Lua twin of `decideRateLimit` in @keyward/core: the same integer steps, applied to every
 * window in one atomic script. Time comes from the Redis server (TIME, in whole milliseconds) so
 * nodes with skewed clocks agree; the 'argument' variant takes it as the last ARGV and exists only
 * so tests can replay the core decision step by step against the script.
 *
 * KEYS[i]: a hash { s = window start (ms), c = units counted } for window i, expiring at its end.
 * ARGV[1]: cost (0 = peek: charge nothing, refuse when a window is full);
 * ARGV[2i], ARGV[2i+1]: limit and window length (ms) of window i.
 * Reply: { allowed (1|0), now (ms), then per window: start, count } of the windows in force after
 * the check, exactly `decideRateLimit(...).states`.
 */
export function fixedWindowScript(time: 'server' | 'argument'): string {
  const now =
    time === 'server'
      ? "local clock = redis.call('TIME')\nlocal now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)"
      : 'local now = tonumber(ARGV[#ARGV])';
  return `${now}
local cost = tonumber(ARGV[1])
local need = cost
if need < 1 then need = 1 end
local n = #KEYS
local starts, counts = {}, {}
local allowed = 1
for i = 1, n do
  local limit = tonumber(ARGV[2 * i])
  local length = tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', KEYS[i], 's', 'c')
  local start = tonumber(state[1])
  local count = tonumber(state[2])
  if start == nil or count == nil or now >= start + length then
    start = now
    count = 0
  end
  if count + need > limit then allowed = 0 end
  starts[i] = start
  counts[i] = count
end
local charge = allowed == 1 and cost > 0
local reply = { allowed, now }
for i = 1, n do
  if charge then
    local length = tonumber(ARGV[2 * i + 1])
    counts[i] = counts[i] + cost
    redis.call('HSET', KEYS[i], 's', string.format('%.0f', starts[i]), 'c', string.format('%.0f', counts[i]))
    redis.call('PEXPIRE', KEYS[i], string.format('%.0f', starts[i] + length - now))
  end
  reply[1 + 2 * i] = starts[i]
  reply[2 + 2 * i] = counts[i]
end
return reply
`;
}

export const FIXED_WINDOW_SCRIPT = fixedWindowScript('server');
export const FIXED_WINDOW_SCRIPT_SHA = createHash('sha1').update(FIXED_WINDOW_SCRIPT).digest('hex');
