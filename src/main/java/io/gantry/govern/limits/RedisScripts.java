package io.gantry.govern.limits;

/**
 * The Lua scripts the Redis limiter runs: each decision and each settle is one atomic script, so
 * replicas never interleave, and time comes from Redis ({@code TIME}) so their clocks don't matter.
 *
 * <p>A bucket is a hash {@code {t: tokens, ts: microseconds}}; a missing bucket is a full one, so
 * each bucket expires once it would have refilled completely and nothing outlives its use. A budget
 * is a counter per key and period that expires an hour after the period ends.
 */
final class RedisScripts {
  private RedisScripts() {}

  /**
   * KEYS: n bucket keys, then the budget counter when there is a budget. ARGV: n, then per bucket
   * capacity, need, take; then the budget in tokens (-1: none). Returns {verdict (1 admitted, 0
   * refused by a bucket, -1 refused by the budget), now, budget used, then per bucket its tokens
   * before this request and 1/0 for "held enough"}, or just {-2} when the budget counter does not
   * exist yet (this period's first request, or a Redis that lost its data): the caller seeds it
   * from the store and asks again.
   */
  static final String ADMIT =
      """
      local n = tonumber(ARGV[1])
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local avail = {}
      local flags = {}
      local verdict = 1
      for i = 1, n do
        local cap = tonumber(ARGV[3 * i - 1])
        local need = tonumber(ARGV[3 * i])
        local st = redis.call('HMGET', KEYS[i], 't', 'ts')
        local tokens = cap
        if st[1] then
          local elapsed = now - tonumber(st[2])
          if elapsed < 0 then elapsed = 0 end
          tokens = tonumber(st[1]) + elapsed * cap / 60000000
          if tokens > cap then tokens = cap end
        end
        avail[i] = tokens
        if tokens >= need then flags[i] = 1 else flags[i] = 0; verdict = 0 end
      end
      local budget = tonumber(ARGV[3 * n + 2])
      local used = 0
      if budget >= 0 then
        local counter = redis.call('GET', KEYS[n + 1])
        if not counter then return {-2} end
        used = tonumber(counter)
        if used >= budget then verdict = -1 end
      end
      if verdict == 1 then
        for i = 1, n do
          local cap = tonumber(ARGV[3 * i - 1])
          local left = avail[i] - tonumber(ARGV[3 * i + 1])
          redis.call('HSET', KEYS[i], 't', string.format('%.6f', left), 'ts', string.format('%.0f', now))
          redis.call('PEXPIRE', KEYS[i], math.ceil((cap - left) * 60000 / cap) + 1000)
        end
      end
      local out = {verdict, string.format('%.0f', now), string.format('%.0f', used)}
      for i = 1, n do
        out[#out + 1] = string.format('%.6f', avail[i])
        out[#out + 1] = flags[i]
      end
      return out
      """;

  /**
   * KEYS: n TPM bucket keys, then the budget counter when there is one. ARGV: n, then per bucket
   * its capacity; then the correction (estimate - actual, added to each bucket); then the tokens to
   * add to the budget (-1: no budget) and the budget counter's expiry (unix seconds).
   */
  static final String SETTLE =
      """
      local n = tonumber(ARGV[1])
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local correction = tonumber(ARGV[n + 2])
      if correction ~= 0 then
        for i = 1, n do
          local cap = tonumber(ARGV[i + 1])
          local st = redis.call('HMGET', KEYS[i], 't', 'ts')
          local tokens = cap
          if st[1] then
            local elapsed = now - tonumber(st[2])
            if elapsed < 0 then elapsed = 0 end
            tokens = tonumber(st[1]) + elapsed * cap / 60000000
            if tokens > cap then tokens = cap end
          end
          tokens = tokens + correction
          if tokens > cap then tokens = cap end
          redis.call('HSET', KEYS[i], 't', string.format('%.6f', tokens), 'ts', string.format('%.0f', now))
          redis.call('PEXPIRE', KEYS[i], math.ceil((cap - tokens) * 60000 / cap) + 1000)
        end
      end
      local add = tonumber(ARGV[n + 3])
      if add >= 0 then
        local used = redis.call('INCRBY', KEYS[n + 1], add)
        redis.call('EXPIREAT', KEYS[n + 1], ARGV[n + 4])
        return used
      end
      return 0
      """;
}
