import { createHash } from 'node:crypto';

/**
 * The Lua twin of `decideRateLimit` in @keyward/core: the same integer steps, applied to every
 * window in one atomic script. Time comes from the Redis server (TIME) so nodes with skewed clocks
 * agree; the 'argument' variant takes it as the last ARGV and exists only so tests can replay the
 * core decision step by step against the script.
 *
 * KEYS[i]: the TAT (integer microseconds) of window i.
 * ARGV[1]: cost; ARGV[2i], ARGV[2i+1]: limit and emission interval (microseconds) of window i.
 * Reply: { allowed (1|0), then per window: debt (TAT − now after the check), excess }.
 */
export function gcraScript(time: 'server' | 'argument'): string {
  const now =
    time === 'server'
      ? "local clock = redis.call('TIME')\nlocal now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])"
      : 'local now = tonumber(ARGV[#ARGV])';
  return `${now}
local cost = tonumber(ARGV[1])
local n = #KEYS
local tats, nexts, excesses = {}, {}, {}
local allowed = true
for i = 1, n do
  local limit = tonumber(ARGV[2 * i])
  local interval = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  local nxt = tat + cost * interval
  local excess = nxt - now - limit * interval
  if excess > 0 then allowed = false end
  tats[i] = tat
  nexts[i] = nxt
  excesses[i] = excess
end
local reply = { allowed and 1 or 0 }
for i = 1, n do
  local tat = tats[i]
  if allowed then
    tat = nexts[i]
    if tat > now then
      redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000))
    end
  end
  reply[2 * i] = tat - now
  reply[2 * i + 1] = excesses[i]
end
return reply
`;
}

export const GCRA_SCRIPT = gcraScript('server');
export const GCRA_SCRIPT_SHA = createHash('sha1').update(GCRA_SCRIPT).digest('hex');
