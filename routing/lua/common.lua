-- common.lua: helpers of every routing operation. The operations (the
-- other files) are run by batch.lua, several in one call of the routing
-- function. All of it is one Redis function library, loaded once: a call
-- creates none of these functions again.
--
-- KEYS (the same for every operation):
--   1 alive (sentinel: absent means Redis lost its state)  2 seq (arrival counter)
--   3 task (hash id -> JSON of the task, see get_task)  4 agent (hash id -> agent JSON)
--   5..7 wait:voice|chat|sms (zset member "seq:id|..." (see wait_member), score = arrival ms - tier credit ms)
--   8..10 avail:voice|chat|sms (zset of agents free for the channel, score = choice order)
--   11 res (zset id -> offer expiry ms)  12 timers (zset id -> overflow due ms)
--   13 wrap (zset id -> wrap-up end ms)  14 byq (lex zset "queue|tier|arrival|id")
--   15 tstate (hash id -> "state|agent|expiry|...", see parse_state)  16 stats:<day> (hash of counters)
-- An operation's arguments (ARGV): 1 events channel, 2 now (ms); the rest its own.
--
-- An operation checks everything before its first write: Redis does not
-- roll a call back when it fails half-way, and the batch goes on to the
-- next operation.

-- The centre's keys, set by bind at every call, and what the operations of
-- one call share: the events to publish, and whether the state was there.
local KEYS, WAIT, AVAIL, pubs, alive
local function bind(keys)
  KEYS = keys
  WAIT = {voice = KEYS[5], chat = KEYS[6], sms = KEYS[7]}
  AVAIL = {voice = KEYS[8], chat = KEYS[9], sms = KEYS[10]}
  pubs, alive = {}, false
end
-- An operation's state, set by begin (at the end of this file).
local ARGV, NOW, out
local function fail(code, msg) error({err = code .. ' ' .. msg}) end

-- int writes a whole number for Redis. A number handed to redis.call, to
-- tostring or to .. is written with printf's "%.17g" or "%.14g", whose
-- floating-point path took a tenth of Redis's time per match; "%d" is an
-- integer conversion. Ids and scores are whole numbers of milliseconds.
local function int(x) return string.format('%d', x) end
-- key is the hash field of a task or agent id, which is a number when it
-- comes from JSON and a string when it comes from ARGV or a Redis reply.
local function key(id)
  if type(id) == 'number' then return int(id) end
  return id
end

-- A task is two hash fields. In task (KEYS[3]), the JSON of the whole task,
-- written when it is queued. In tstate (KEYS[15]), what a step reads and
-- changes: "st|ag|x|ch|tier|a0|cu|sl|ow|queue", its state, agent and expiry
-- (or 0), then copies of what offering, answering and ending it need. So
-- those steps decode no JSON, and write 50 bytes, not 300: Redis's Lua
-- hashes every byte of every string it makes, and decoding and encoding
-- tasks was a fifth of a match.
local STATE = '^(%a*)|(%d+)|(%d+)|(%a*)|([^|]*)|(%-?%d+)|(%d+)|(%d+)|(%d+)|(.*)$'
local function parse_state(t, s)
  local st, ag, x, ch, tier, a0, cu, sl, ow, q = string.match(s, STATE)
  if not st then -- written before it held more than the state
    st, ag, x = string.match(s, '^(%a*)|(%d+)|(%d+)$')
    t.st, t.ag, t.x = st, tonumber(ag), tonumber(x)
    return
  end
  t.st, t.ag, t.x, t.ch, t.t, t.a0 = st, tonumber(ag), tonumber(x), ch, tier, tonumber(a0)
  t.cu, t.sl, t.ow, t.q = tonumber(cu), tonumber(sl), tonumber(ow), q
end
-- get_task reads the whole task.
local function get_task(id)
  local k = key(id)
  local v = redis.call('HGET', KEYS[3], k)
  if not v then return nil end
  local t = cjson.decode(v)
  local s = redis.call('HGET', KEYS[15], k)
  if s then parse_state(t, s) end -- else stored before tstate, with it in the JSON
  return t
end
-- get_step reads what offering, answering and ending task id need.
local function get_step(id)
  local s = redis.call('HGET', KEYS[15], key(id))
  if not s then return get_task(id) end
  local t = {id = id}
  parse_state(t, s)
  if not t.q then return get_task(id) end -- its tstate holds only the state
  return t
end
local function set_state(t)
  redis.call('HSET', KEYS[15], key(t.id), string.format('%s|%d|%d|%s|%s|%d|%d|%d|%d|%s',
    t.st, t.ag, t.x, t.ch, t.t, t.a0, t.cu or 0, t.sl, t.ow, t.q))
end
local function put_task(t)
  local st, ag, x = t.st, t.ag, t.x
  t.st, t.ag, t.x = nil, nil, nil
  redis.call('HSET', KEYS[3], int(t.id), cjson.encode(t))
  t.st, t.ag, t.x = st, ag, x
  set_state(t)
end
local function del_task(t)
  redis.call('HDEL', KEYS[3], key(t.id))
  redis.call('HDEL', KEYS[15], key(t.id))
end
-- Agents are read from Redis once per operation and written once, when the
-- operation ends (done), however many steps change them: a match that frees
-- one agent and offers it a call decodes and encodes it once.
local agents, dirty, published
local function get_agent(id)
  local k = key(id)
  local a = agents[k]
  if a == nil then
    local v = redis.call('HGET', KEYS[4], k)
    a = v and cjson.decode(v) or false
    agents[k] = a
  end
  return a or nil
end
local function put_agent(a)
  local k = int(a.id)
  agents[k] = a
  dirty[k] = true
end
local function drop_agent(id)
  local k = key(id)
  agents[k] = false
  dirty[k] = nil
  redis.call('HDEL', KEYS[4], k)
end

-- Every event carries v, the next number of the seq counter: the order in
-- which Redis decided, which Postgres keeps whatever order records arrive in.
-- Events are formatted by hand: numbers as integers (cjson writes them
-- through printf's floating point), strings quoted by cjson.
-- jstr quotes a string for JSON. Events carry few strings (kinds, channels,
-- tiers, queues, reasons): each is quoted once and kept, up to a bound.
local quoted, nquoted = {}, 0
local function jstr(s)
  s = s or ''
  local q = quoted[s]
  if not q then
    if nquoted >= 4096 then quoted, nquoted = {}, 0 end
    q = cjson.encode(s)
    quoted[s], nquoted = q, nquoted + 1
  end
  return q
end
local function publish(s)
  published[#published + 1] = s
  out[#out + 1] = s
end
local function emit(kind, t, agent, reason, x)
  publish(string.format('{"k":%s,"i":%d,"a":%d,"ch":%s,"q":%s,"t":%s,"cu":%d,"r":%s,"x":%d,"e":%d,"at":%d,"v":%d}',
    jstr(kind), t.id, agent or 0, jstr(t.ch), jstr(t.q), jstr(t.t), t.cu or 0, jstr(reason), x or 0, t.a0, NOW,
    redis.call('INCR', KEYS[2])))
end
-- emit_task is emit with the whole task in "d", for events a rebuild reads.
local function emit_task(kind, t)
  local s = cjson.encode({k = kind, i = t.id, a = 0, ch = t.ch, q = t.q, t = t.t,
    cu = t.cu, r = "", x = 0, e = t.a0, at = NOW, d = t, v = redis.call("INCR", KEYS[2])})
  publish(s)
end
local function emit_agent(a)
  publish(string.format('{"k":"agent_state","a":%d,"s":%s,"r":%s,"at":%d,"v":%d}',
    a.id, jstr(a.s), jstr(a.rs), NOW, redis.call('INCR', KEYS[2])))
end

-- stat adds n to a counter of the task's queue and tier, in the minute's
-- bucket (for the rolling window) and the day's. The day's hash expires
-- three days after its last new counter: HINCRBY answers n when it creates
-- one, and only then is the expiry set again.
local function stat(t, metric, n)
  local m = string.format('%d', math.floor(NOW / 60000))
  local f = '|' .. t.q .. '|' .. t.t .. '|' .. metric
  local a = redis.call('HINCRBY', KEYS[16], m .. f, int(n))
  local d = redis.call('HINCRBY', KEYS[16], 'd' .. f, int(n))
  if a == n or d == n then redis.call('EXPIRE', KEYS[16], '259200') end
end

local function load_total(a) return (a.ld.voice or 0) + (a.ld.chat or 0) + (a.ld.sms or 0) end

-- free: the agent has room for one more of ch. A call is exclusive: no call
-- while chats or SMS are open, and nothing else during a call.
local function free(a, ch)
  local ld = a.ld
  if (a.cap[ch] or 0) <= (ld[ch] or 0) then return false end
  if ch == 'voice' then return (ld.chat or 0) + (ld.sms or 0) == 0 end
  return (ld.voice or 0) == 0
end

local function agent_score(a)
  if a.lo == 1 then
    local c = (a.cap.voice or 0) + (a.cap.chat or 0) + (a.cap.sms or 0)
    local occ = 0
    if c > 0 then occ = math.floor(100 * load_total(a) / c) end
    return occ * 1e13 + a.idle
  end
  return a.idle
end

-- free_heads caches, per channel, the head of its free set as read in this
-- operation: {heads = ids in order, all = true when that is the whole set}.
-- reindex keeps it right, so a match that offered the last free agent does
-- not read the set again to find it empty.
--
-- late lists, per channel, the agents this operation freed that were not
-- free before, whose score (their idle time) is now: the highest, so they
-- come after every agent in the set. They are added to it when the
-- operation ends, if still free: an agent freed and offered the next call
-- by one operation (a Complete) is neither added nor removed.
local free_heads, late
local function unhead(ch, id)
  local c = free_heads[ch]
  if c then
    for i, h in ipairs(c.heads) do
      if h == id then table.remove(c.heads, i); break end
    end
  end
  local l = late[ch]
  if l then
    for i, h in ipairs(l) do
      if h == id then table.remove(l, i); return true end
    end
  end
  return false
end
local function is_late(ch, id)
  for _, h in ipairs(late[ch] or {}) do
    if h == id then return true end
  end
  return false
end
-- heads_complete: the cache holds the whole set; the late agents follow it.
local function heads_complete(ch, c)
  c.all = true
  for _, id in ipairs(late[ch] or {}) do c.heads[#c.heads + 1] = id end
end

-- reindex puts the agent in (or out of) the free sets of the channels it
-- has any capacity for; it is never in the others. was, when given, tells
-- on which channels the agent was free when the operation read it.
local function reindex(a, was)
  local id = int(a.id)
  for ch, k in pairs(AVAIL) do
    if (a.cap[ch] or 0) > 0 then
      if a.s ~= 'available' or not free(a, ch) then
        if not unhead(ch, id) then redis.call('ZREM', k, id) end
      elseif is_late(ch, id) then -- stays late
      elseif was and not was[ch] and a.lo ~= 1 and a.idle == NOW then
        late[ch] = late[ch] or {}
        table.insert(late[ch], id)
        local c = free_heads[ch]
        if c and c.all then c.heads[#c.heads + 1] = id end
      else
        redis.call('ZADD', k, int(agent_score(a)), id)
        free_heads[ch] = nil
      end
    end
  end
end
-- free_on lists the channels on which agent a is free.
local function free_on(a)
  local was = {}
  for ch in pairs(AVAIL) do was[ch] = a.s == 'available' and (a.cap[ch] or 0) > 0 and free(a, ch) end
  return was
end

local function lex(t) return string.format('%s|%s|%015d|%d', t.q, t.t, t.a0, t.id) end

-- A waiting member is "seq:id|r|rs|e|p|ru|skills": what eligible reads,
-- so a match looks at waiting interactions without reading any of them
-- but the one it offers. Skills are separated by \31.
local function wait_member(t)
  return string.format('%s|%d|%d|%d|%d|%d|%s', t.m, t.r, t.rs, t.e, t.p, t.ru, table.concat(t.sk, '\31'))
end
local function candidate(m, ch)
  local id, r, rs, e, p, ru, sk = string.match(m, '^%d+:(%d+)|(%-?%d+)|(%-?%d+)|(%-?%d+)|(%-?%d+)|(%-?%d+)|(.*)$')
  if not id then return get_task(string.match(m, ':(%d+)$')) end -- a member of before this format
  local c = {id = id, ch = ch, r = tonumber(r), rs = tonumber(rs), e = tonumber(e), p = tonumber(p), ru = tonumber(ru),
    sk = {}, wm = m}
  for s in string.gmatch(sk, '[^\31]+') do c.sk[#c.sk + 1] = s end
  return c
end
-- claim reads what offering the candidate c needs, and checks that it is
-- still waiting.
local function claim(c)
  if c.st then return c end -- decoded whole, from a member of before
  local t = get_step(c.id)
  if not t or t.st ~= 'queued' then return nil end
  t.wm = c.wm
  return t
end

local function queue_in(t)
  t.st = 'queued'; t.ag = 0; t.x = 0
  t.wm = wait_member(t)
  redis.call('ZADD', WAIT[t.ch], int(t.sc), t.wm)
  redis.call('ZADD', KEYS[14], '0', lex(t))
  if t.ow > 0 then redis.call('ZADD', KEYS[12], int(t.ow), int(t.id)) end
end
local function queue_out(t)
  redis.call('ZREM', WAIT[t.ch], t.wm or t.m)
  t.wm = nil
  redis.call('ZREM', KEYS[14], lex(t))
  if t.ow > 0 then redis.call('ZREM', KEYS[12], int(t.id)) end
end

-- release frees the agent's capacity held by t.
local function release(t, a)
  if not a then return end
  local was = free_on(a)
  a.ld[t.ch] = math.max(0, (a.ld[t.ch] or 0) - 1)
  a.its[key(t.id)] = nil
  if load_total(a) == 0 then a.idle = NOW end
  put_agent(a)
  reindex(a, was)
end

-- withdraw takes back an offer; the caller puts t back in its queue or ends it.
local function withdraw(t, reason)
  redis.call('ZREM', KEYS[11], int(t.id))
  release(t, get_agent(t.ag))
  emit('offer_withdrawn', t, t.ag, reason, 0)
end

local function requeue(t) queue_in(t); put_task(t) end

-- freed lists the channels agent id has capacity on: the only ones where
-- freeing its capacity can make a match.
local function freed(id)
  local a = get_agent(id)
  local chs = {}
  if a then
    for _, ch in ipairs({'voice', 'chat', 'sms'}) do
      if (a.cap[ch] or 0) > 0 then chs[#chs + 1] = ch end
    end
  end
  return chs
end

-- finish ends t and frees its agent; it returns the channels where that
-- can make a match (those the agent serves).
local function finish(t)
  del_task(t)
  if t.st == 'wrapup' then redis.call('ZREM', KEYS[13], int(t.id)) end
  local a = get_agent(t.ag)
  release(t, a)
  emit('done', t, t.ag, '', 0)
  return freed(t.ag)
end

local function eligible(t, a)
  if t.p ~= 0 and NOW < t.ru then return a.id == t.p end
  local ring = 0
  if t.rs > 0 then ring = math.floor((NOW - t.e) / t.rs) end
  local hi = t.r + ring
  if hi > 3 then hi = 3 end
  local ok = false
  for r = t.r, hi do
    if bit.band(a.tm, 2 ^ r) ~= 0 then ok = true; break end
  end
  if not ok then return false end
  for _, s in ipairs(t.sk) do
    if not a.sk[s] then return false end
  end
  return true
end

local function reserve(t, a, timeout)
  queue_out(t)
  t.st = 'offered'; t.ag = a.id; t.x = NOW + timeout
  redis.call('ZADD', KEYS[11], int(t.x), key(t.id))
  a.ld[t.ch] = (a.ld[t.ch] or 0) + 1
  a.its[key(t.id)] = t.ch
  set_state(t)
  put_agent(a)
  reindex(a)
  emit('offer', t, a.id, '', t.x)
end

-- checks bounds the eligibility checks of one operation (8192): the sweep looks
-- deep into the waiting, and when free agents can take none of it, that
-- scan stays a few milliseconds of Redis time.
local checks

-- pick returns the first free agent eligible for t among the channel's
-- first M free agents, or the RM alone while t waits for its RM. Agents
-- are read a few at a time: the first usually fits.
local function pick(t, M, cache)
  local ak = AVAIL[t.ch]
  if t.p ~= 0 and NOW < t.ru then
    local rm = int(t.p)
    for _, id in ipairs(late[t.ch] or {}) do
      if id == rm then return get_agent(rm) end
    end
    if redis.call('ZSCORE', ak, rm) then return get_agent(t.p) end
    return nil
  end
  local heads = cache.heads
  local i = 1
  while i <= M do
    if i > #heads then
      if cache.all then return nil end
      local n = math.min(M, #heads * 4 + 4) - #heads
      local more = redis.call('ZRANGE', ak, int(#heads), int(#heads + n - 1))
      for _, id in ipairs(more) do heads[#heads + 1] = id end
      if #more < n then heads_complete(t.ch, cache) end
      if i > #heads then return nil end
    end
    local a = get_agent(heads[i])
    checks = checks - 1
    if checks < 0 then return nil end
    if a and eligible(t, a) then return a end
    i = i + 1
  end
  return nil
end

-- match_channel makes one offer on ch: the first of the K best waiting
-- interactions that an eligible free agent can take.
local function match_channel(ch, K, M, timeout)
  local cache = free_heads[ch]
  if not cache then
    local n = math.min(M, 4)
    cache = {heads = redis.call('ZRANGE', AVAIL[ch], '0', int(n - 1))}
    if #cache.heads < n then heads_complete(ch, cache) end
    free_heads[ch] = cache
  end
  if cache.all and #cache.heads == 0 then return false end
  local from, n = 0, 1
  while from < K do
    local ms = redis.call('ZRANGE', WAIT[ch], int(from), int(math.min(K, from + n) - 1))
    for _, m in ipairs(ms) do
      if checks <= 0 then return false end
      local c = candidate(m, ch)
      local a = c and pick(c, M, cache)
      local t = a and claim(c)
      if t then reserve(t, a, timeout); return true end
    end
    if #ms < n then return false end
    from = from + n
    n = n * 4
  end
  return false
end

-- match makes up to max offers on the channels chs (all when nil). ARGV of
-- every operation that matches ends with timeout (ms), K, M.
local function match(max, chs)
  local n = #ARGV
  local timeout, K, M = tonumber(ARGV[n - 2]), tonumber(ARGV[n - 1]), tonumber(ARGV[n])
  local made = 0
  for _, ch in ipairs(chs or {'voice', 'chat', 'sms'}) do
    while made < max and match_channel(ch, K, M, timeout) do made = made + 1 end
  end
  return made
end

-- done adds the late agents to their free sets, writes the changed agents,
-- and adds the events to those the call publishes when its last operation
-- ends, all of them in one message, one per line; every operation returns
-- done().
local function done()
  for ch, ids in pairs(late) do
    for _, id in ipairs(ids) do redis.call('ZADD', AVAIL[ch], int(agent_score(agents[id])), id) end
  end
  late = {}
  for k in pairs(dirty) do redis.call('HSET', KEYS[4], k, cjson.encode(agents[k])) end
  dirty = {}
  for i = 1, #published do pubs[#pubs + 1] = published[i] end
  published = {}
  return out
end

-- begin starts an operation: its arguments, and nothing of the operation
-- before it but what is in Redis. Every operation but restore first checks
-- that the routing state is there.
local function begin(args, skip_alive)
  ARGV, NOW = args, tonumber(args[2])
  out, agents, dirty, published, free_heads, late = {}, {}, {}, {}, {}, {}
  checks = 8192
  if not skip_alive and not alive then
    if redis.call('EXISTS', KEYS[1]) == 0 then fail('NOSTATE', 'routing state missing') end
    alive = true -- and no operation takes it away
  end
end
