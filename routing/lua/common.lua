-- common.lua: helpers of every routing operation. The operations (the
-- other files) are run by batch.lua, several in one call of the routing
-- function. All of it is one Redis function library, loaded once: a call
-- creates none of these functions again.
--
-- KEYS, the same for every operation, are named by bind (K.alive...) in the
-- order of internal/keyspace's RoutingScriptNames, which a Go test holds
-- them to; keyspace says what each holds and how long it lives:
--   alive (sentinel: absent means Redis lost its state)  seq (arrival counter)
--   task (hash id -> JSON of the task, see get_task)  agent (hash id -> agent JSON)
--   wait_voice|chat|sms (zset member "seq:id|..." (see wait_member), score = arrival ms - tier credit ms)
--   free_voice|chat|sms (hash group -> signature: the groups of agents with one free for
--         the channel; each group's free agents are the zset "free:<channel>:<group>",
--         score = choice order; see the free-agent index)
--   res (zset id -> offer expiry ms)  timers (zset id -> overflow due ms)
--   wrap (zset id -> wrap-up end ms)  byq (lex zset "queue|tier|arrival|id")
--   tstate (hash id -> "state|agent|expiry|...", see parse_state)  stats (stats:<day>, hash of counters)
-- An operation's arguments (ARGV): 1 events channel, 2 now (ms); the rest its own.
--
-- An operation checks everything before its first write: Redis does not
-- roll a call back when it fails half-way, and the batch goes on to the
-- next operation.

-- The centre's keys, set by bind at every call, and what the operations of
-- one call share: the events to publish, and whether the state was there.
local K, WAIT, AVAIL, WRAPSTART, ENDED, pubs, alive
local function bind(keys)
  K = {alive = keys[1], seq = keys[2], task = keys[3], agent = keys[4],
    wait_voice = keys[5], wait_chat = keys[6], wait_sms = keys[7],
    free_voice = keys[8], free_chat = keys[9], free_sms = keys[10],
    res = keys[11], timers = keys[12], wrap = keys[13], byq = keys[14], tstate = keys[15], stats = keys[16]}
  WRAPSTART = K.wrap .. ':start' -- hash id -> when its wrap-up began (ms)
  -- zset "id|done" or "id|abandoned" -> when it ended (ms), for the last
  -- hour: what reconciling Postgres with Redis reads (see Reconcile)
  ENDED = K.task .. ':ended'
  WAIT = {voice = K.wait_voice, chat = K.wait_chat, sms = K.wait_sms}
  AVAIL = {voice = K.free_voice, chat = K.free_chat, sms = K.free_sms}
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

-- A task is two hash fields. In task (K.task), the JSON of the whole task,
-- written when it is queued. In tstate (K.tstate), what a step reads and
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
  local v = redis.call('HGET', K.task, k)
  if not v then return nil end
  local t = cjson.decode(v)
  local s = redis.call('HGET', K.tstate, k)
  if s then parse_state(t, s) end -- else stored before tstate, with it in the JSON
  return t
end
-- get_step reads what offering, answering and ending task id need.
local function get_step(id)
  local s = redis.call('HGET', K.tstate, key(id))
  if not s then return get_task(id) end
  local t = {id = id}
  parse_state(t, s)
  if not t.q then return get_task(id) end -- its tstate holds only the state
  return t
end
local function set_state(t)
  redis.call('HSET', K.tstate, key(t.id), string.format('%s|%d|%d|%s|%s|%d|%d|%d|%d|%s',
    t.st, t.ag, t.x, t.ch, t.t, t.a0, t.cu or 0, t.sl, t.ow, t.q))
end
local function put_task(t)
  local st, ag, x = t.st, t.ag, t.x
  t.st, t.ag, t.x = nil, nil, nil
  redis.call('HSET', K.task, int(t.id), cjson.encode(t))
  t.st, t.ag, t.x = st, ag, x
  set_state(t)
end
-- del_task forgets t, which ended ('done' or 'abandoned') and keeps that
-- it did.
local function del_task(t, ended)
  redis.call('HDEL', K.task, key(t.id))
  redis.call('HDEL', K.tstate, key(t.id))
  redis.call('ZADD', ENDED, int(NOW), key(t.id) .. '|' .. ended)
end
-- Agents are read from Redis once per operation and written once, when the
-- operation ends (done), however many steps change them: a match that frees
-- one agent and offers it a call decodes and encodes it once.
local agents, dirty, published
local function get_agent(id)
  local k = key(id)
  local a = agents[k]
  if a == nil then
    local v = redis.call('HGET', K.agent, k)
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
  redis.call('HDEL', K.agent, k)
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
    redis.call('INCR', K.seq)))
end
-- emit_task is emit with the whole task in "d", for events a rebuild reads.
local function emit_task(kind, t)
  local s = cjson.encode({k = kind, i = t.id, a = 0, ch = t.ch, q = t.q, t = t.t,
    cu = t.cu, r = "", x = 0, e = t.a0, at = NOW, d = t, v = redis.call("INCR", K.seq)})
  publish(s)
end
local function emit_agent(a)
  publish(string.format('{"k":"agent_state","a":%d,"s":%s,"r":%s,"at":%d,"v":%d}',
    a.id, jstr(a.s), jstr(a.rs), NOW, redis.call('INCR', K.seq)))
end

-- stat adds n to a counter of the task's queue and tier, in the minute's
-- bucket (for the rolling window) and the day's. The day's hash expires
-- three days after its last new counter: HINCRBY answers n when it creates
-- one, and only then is the expiry set again.
local function stat(t, metric, n)
  local m = string.format('%d', math.floor(NOW / 60000))
  local f = '|' .. t.q .. '|' .. t.t .. '|' .. metric
  local a = redis.call('HINCRBY', K.stats, m .. f, int(n))
  local d = redis.call('HINCRBY', K.stats, 'd' .. f, int(n))
  if a == n or d == n then redis.call('EXPIRE', K.stats, '259200') end
end

local function load_total(a) return (a.ld.voice or 0) + (a.ld.chat or 0) + (a.ld.sms or 0) end

-- free: the agent has room for one more of ch. A call is exclusive: no call
-- while chats or SMS are open, and nothing else during a call. An agent
-- holds at most a.op offers at a time (a.of), across channels; 0 or none
-- is no limit.
local function free(a, ch)
  local op = a.op or 0
  if op > 0 and (a.of or 0) >= op then return false end
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

-- The free-agent index. Agents with the same tiers and skills form a group
-- (a.g, named by the digest of its signature "tm|skill\31skill...", see
-- group_sig). Per channel, each group with a free agent has a sorted set
-- of its free agents, scored by choice order (gkey), and the channel's
-- registry hash (AVAIL[ch]) maps the group to its signature. A match
-- reads the registry (a few groups: agents share few skill sets), keeps
-- the groups whose tiers and skills fit the interaction, and takes the
-- best head among them: O(groups x log n), and it finds an eligible free
-- agent whenever one exists, wherever it ranks.
--
-- sigs caches parsed signatures across calls (they never change meaning),
-- up to a bound. reg is this operation's copy of the registries, heads its
-- copy of each group's head ({id, score}, or false for an empty group).
local sigs, nsigs = {}, 0
local function parse_sig(v)
  local m = sigs[v]
  if not m then
    if nsigs >= 4096 then sigs, nsigs = {}, 0 end
    local tm, sk = string.match(v, '^(%d+)|(.*)$')
    m = {tm = tonumber(tm) or 0, sk = {}}
    for s in string.gmatch(sk or '', '[^\31]+') do m.sk[s] = true end
    sigs[v], nsigs = m, nsigs + 1
  end
  return m
end
local function group_sig(a)
  local sk = {}
  for s, on in pairs(a.sk or {}) do
    if on then sk[#sk + 1] = s end
  end
  table.sort(sk)
  return string.format('%d|%s', a.tm or 0, table.concat(sk, '\31'))
end
-- group_of names a's group; the engine sets it at login, and an agent
-- stored before groups existed gets it here.
local function group_of(a)
  if not a.g then
    a.g = string.sub(redis.sha1hex(group_sig(a)), 1, 16)
    dirty[int(a.id)] = true
  end
  return a.g
end
local function gkey(ch, g) return AVAIL[ch] .. ':' .. g end
local reg, heads
local function registry(ch)
  local r = reg[ch]
  if not r then
    r = {}
    local kv = redis.call('HGETALL', AVAIL[ch])
    for i = 1, #kv, 2 do r[kv[i]] = parse_sig(kv[i + 1]) end
    reg[ch] = r
  end
  return r
end
local function free_add(ch, a)
  local g = group_of(a)
  local k = gkey(ch, g)
  redis.call('ZADD', k, int(agent_score(a)), int(a.id))
  heads[k] = nil
  local r = reg[ch]
  if not (r and r[g]) then
    local sig = group_sig(a)
    redis.call('HSETNX', AVAIL[ch], g, sig)
    if r then r[g] = parse_sig(sig) end
  end
end
-- free_rem takes a out of ch's free set of group g (a's own by default).
local function free_rem(ch, a, g)
  g = g or group_of(a)
  local k = gkey(ch, g)
  if redis.call('ZREM', k, int(a.id)) == 0 then return end
  heads[k] = nil
  if redis.call('EXISTS', k) == 0 then
    redis.call('HDEL', AVAIL[ch], g)
    if reg[ch] then reg[ch][g] = nil end
  end
end
-- head is group g's best free agent on ch: {id, score}, or false.
local function head(ch, g)
  local k = gkey(ch, g)
  local h = heads[k]
  if h == nil then
    local r = redis.call('ZRANGE', k, '0', '0', 'WITHSCORES')
    h = false
    if r[1] then h = {r[1], tonumber(r[2])} end
    if not h then -- listed but empty: the registry heals
      redis.call('HDEL', AVAIL[ch], g)
      reg[ch][g] = nil
    end
    heads[k] = h
  end
  return h
end

-- late lists, per channel, the agents this operation freed that were not
-- free before, whose score (their idle time) is now: the highest, so they
-- come after every agent in the index. They are added to it when the
-- operation ends, if still free: an agent freed and offered the next call
-- by one operation (a Complete) is neither added nor removed.
local late
local function unlate(ch, id)
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

-- reindex puts the agent in (or out of) the free sets of the channels it
-- has any capacity for; it is never in the others. was, when given, tells
-- on which channels the agent was free when the operation read it.
local function reindex(a, was)
  local id = int(a.id)
  for ch in pairs(AVAIL) do
    if (a.cap[ch] or 0) > 0 then
      if a.s ~= 'available' or not free(a, ch) then
        if not unlate(ch, id) then free_rem(ch, a) end
      elseif is_late(ch, id) then -- stays late
      elseif was and not was[ch] and a.lo ~= 1 and a.idle == NOW then
        late[ch] = late[ch] or {}
        table.insert(late[ch], id)
      else
        free_add(ch, a)
      end
    end
  end
end
-- unindex takes the agent out of every free set, before its profile (and
-- so its group) changes.
local function unindex(a)
  local id = int(a.id)
  for ch in pairs(AVAIL) do
    if not unlate(ch, id) then free_rem(ch, a) end
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
  redis.call('ZADD', K.byq, '0', lex(t))
  if t.ow > 0 then redis.call('ZADD', K.timers, int(t.ow), int(t.id)) end
end
local function queue_out(t)
  redis.call('ZREM', WAIT[t.ch], t.wm or t.m)
  t.wm = nil
  redis.call('ZREM', K.byq, lex(t))
  if t.ow > 0 then redis.call('ZREM', K.timers, int(t.id)) end
end

-- release frees the agent's capacity held by t (and its offer, while t
-- is offered).
local function release(t, a)
  if not a then return end
  local was = free_on(a)
  if t.st == 'offered' then a.of = math.max(0, (a.of or 0) - 1) end
  a.ld[t.ch] = math.max(0, (a.ld[t.ch] or 0) - 1)
  a.its[key(t.id)] = nil
  if load_total(a) == 0 then a.idle = NOW end
  put_agent(a)
  reindex(a, was)
end

-- withdraw takes back an offer; the caller puts t back in its queue or ends it.
local function withdraw(t, reason)
  redis.call('ZREM', K.res, int(t.id))
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
  del_task(t, 'done')
  if t.st == 'wrapup' then
    redis.call('ZREM', K.wrap, int(t.id))
    redis.call('HDEL', WRAPSTART, int(t.id))
  end
  local a = get_agent(t.ag)
  release(t, a)
  emit('done', t, t.ag, '', 0)
  return freed(t.ag)
end

-- rings is the tier mask of the agents t may go to now: its own tier's
-- ring, widened by one ring per t.rs of waiting.
local function rings(t)
  local ring = 0
  if t.rs > 0 then ring = math.floor((NOW - t.e) / t.rs) end
  local hi = math.min(t.r + ring, 3)
  local m = 0
  for r = t.r, hi do m = m + 2 ^ r end
  return m
end
local function holds(sk, need)
  for _, s in ipairs(need) do
    if not sk[s] then return false end
  end
  return true
end

local function eligible(t, a)
  if t.p ~= 0 and NOW < t.ru then return a.id == t.p end
  return bit.band(a.tm, rings(t)) ~= 0 and holds(a.sk, t.sk)
end

local function reserve(t, a, timeout)
  queue_out(t)
  t.st = 'offered'; t.ag = a.id; t.x = NOW + timeout
  redis.call('ZADD', K.res, int(t.x), key(t.id))
  a.ld[t.ch] = (a.ld[t.ch] or 0) + 1
  a.of = (a.of or 0) + 1
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

-- pick returns the best free agent eligible for t (the first in choice
-- order among the heads of the groups that fit it, then the late agents),
-- or the RM alone while t waits for its RM.
local function pick(t)
  local ch = t.ch
  if t.p ~= 0 and NOW < t.ru then
    local a = get_agent(t.p)
    if a and a.s == 'available' and (a.cap[ch] or 0) > 0 and free(a, ch) then return a end
    return nil
  end
  local mask = rings(t)
  local bid, bs
  for g, m in pairs(registry(ch)) do
    checks = checks - 1
    if bit.band(m.tm, mask) ~= 0 and holds(m.sk, t.sk) then
      local h = head(ch, g)
      if h and (not bid or h[2] < bs or (h[2] == bs and h[1] < bid)) then bid, bs = h[1], h[2] end
    end
  end
  if bid then return get_agent(bid) end
  for _, id in ipairs(late[ch] or {}) do
    local a = get_agent(id)
    if a and eligible(t, a) then return a end
  end
  return nil
end

-- match_channel makes one offer on ch: the first of the depth best waiting
-- interactions that an eligible free agent can take.
local function match_channel(ch, depth, timeout)
  if next(registry(ch)) == nil and #(late[ch] or {}) == 0 then return false end
  local from, n = 0, 1
  while from < depth do
    local ms = redis.call('ZRANGE', WAIT[ch], int(from), int(math.min(depth, from + n) - 1))
    for _, m in ipairs(ms) do
      if checks <= 0 then return false end
      checks = checks - 1
      local c = candidate(m, ch)
      local a = c and pick(c)
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
-- every operation that matches ends with timeout (ms) and the scan depth.
local function match(max, chs)
  local n = #ARGV
  local timeout, depth = tonumber(ARGV[n - 1]), tonumber(ARGV[n])
  local made = 0
  for _, ch in ipairs(chs or {'voice', 'chat', 'sms'}) do
    while made < max and match_channel(ch, depth, timeout) do made = made + 1 end
  end
  return made
end

-- done adds the late agents to their free sets, writes the changed agents,
-- and adds the events to those the call publishes when its last operation
-- ends, all of them in one message, one per line; every operation returns
-- done().
local function done()
  for ch, ids in pairs(late) do
    for _, id in ipairs(ids) do free_add(ch, agents[id]) end
  end
  late = {}
  for k in pairs(dirty) do redis.call('HSET', K.agent, k, cjson.encode(agents[k])) end
  dirty = {}
  for i = 1, #published do pubs[#pubs + 1] = published[i] end
  published = {}
  return out
end

-- migrate moves the free agents of the layout before the index (one
-- sorted set per channel, "avail:<channel>", beside the registries) into
-- the index, once: the first call that finds the old sets does it.
local function migrate()
  local base = string.sub(AVAIL.voice, 1, -#'free:voice' - 1)
  local old = {}
  for ch in pairs(AVAIL) do old[ch] = base .. 'avail:' .. ch end
  if redis.call('EXISTS', old.voice, old.chat, old.sms) == 0 then return end
  for ch, k in pairs(old) do
    for _, id in ipairs(redis.call('ZRANGE', k, '0', '-1')) do
      local a = get_agent(id)
      if a then unindex(a); reindex(a) end
    end
    redis.call('DEL', k)
  end
  for k in pairs(dirty) do redis.call('HSET', K.agent, k, cjson.encode(agents[k])) end
  agents, dirty, reg, heads = {}, {}, {}, {}
end

-- begin starts an operation: its arguments, and nothing of the operation
-- before it but what is in Redis. Every operation but restore first checks
-- that the routing state is there.
local function begin(args, skip_alive)
  ARGV, NOW = args, tonumber(args[2])
  out, agents, dirty, published, reg, heads, late = {}, {}, {}, {}, {}, {}, {}
  checks = 8192
  if not skip_alive and not alive then
    if redis.call('EXISTS', K.alive) == 0 then fail('NOSTATE', 'routing state missing') end
    alive = true -- and no operation takes it away
    migrate()
  end
end
