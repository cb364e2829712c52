package redis

import (
	"math"
	"math/bits"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// Every script below touches the keys of one hash slot only, except those
// marked "single-node", which the store runs only against one Redis server
// (see Options.Cluster).
//
// No script touches a key again after it may have deleted or emptied it:
// while a cluster slot is being migrated, its source node refuses a
// script's command on a key of the slot that it does not hold ("Script
// attempted to access a non local key"), and Redis does not undo what the
// script did before that command. So a record is replaced in place (new
// fields first, then the others deleted), never deleted and written again,
// and a script that may empty a user index counts its members instead of
// reading it afterwards.
//
// Scripts reply with a table whose first element is a status code:
const (
	codeNotFound   = 0 // no record under the key
	codeOK         = 1 // done; a second element may carry a result
	codeAlias      = 2 // the key is a grace alias; the second element is the store key it resolves to
	codeCorrupt    = 3 // the hash has no or an unknown format version
	codeNotInteger = 4 // Increment: the field is not a plain decimal integer
	codeOverflow   = 5 // Increment: the result would leave the range of a Go int
	codeExists     = 6 // Rename: the new key is taken
	codeFenced     = 7 // a cluster-safe Rename is moving the record; retry shortly
	codeFenceLost  = 8 // retire: the fence expired before the rename finished
)

// luaLib is prepended to every script.
var luaLib = `
-- how long a retired key's marker (m:rt) lasts, in ms: retiredTTL
local RETIRED_MS = ` + strconv.FormatInt(retiredTTL.Milliseconds(), 10) + `

-- calls cmd(key, list[from..to]) in batches, staying clear of Lua's unpack
-- limit; batches hold an even number of elements, keeping field/value pairs
-- together. Returns the sum of the replies (what HDEL or ZREM removed).
local function chunked(cmd, key, list, from, to)
  local i, n = from, 0
  while i <= to do
    local j = math.min(i + 997, to)
    n = n + redis.call(cmd, key, unpack(list, i, j))
    i = j + 1
  end
  return n
end

-- deletes every field of the hash h but those keep names (a set), which
-- the caller has just written: h changes in place and never stops existing
-- (see the top of scripts.go).
local function keep_only(h, keep)
  local drop = {}
  for _, f in ipairs(redis.call('HKEYS', h)) do
    if not keep[f] then drop[#drop + 1] = f end
  end
  if #drop > 0 then chunked('HDEL', h, drop, 1, #drop) end
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- whether es, a record's m:e (Meta.Expires, Unix ns as decimal text), is
-- set and not after Redis's TIME, to the microsecond TIME gives, as Load
-- compares it with its clock's nanoseconds. A double holds a Unix time
-- in ms exactly but not in ns, so digits are compared as ms and the rest.
local function passed(es)
  local e = tonumber(es)
  if not e or e <= 0 then return false end
  local t = redis.call('TIME')
  local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local ns = (tonumber(t[2]) % 1000) * 1000
  if #es <= 6 or not string.match(es, '^%d+$') then return e <= ms * 1e6 + ns end
  local ems = tonumber(string.sub(es, 1, -7))
  return ems < ms or (ems == ms and tonumber(string.sub(es, -6)) <= ns)
end

-- status of a session hash from HMGET h m:v m:to m:mvu ...: nil when it is
-- a live record that may be written, else the reply. A hash without m:v is
-- absent, a ghost (values only, no m:to or m:c; see isGhost) or a retired
-- key's marker (m:rt), or else corrupt. A hash with another m:v is corrupt,
-- also when it has m:to: a grace alias has m:v '1' (see retire), and Load
-- refuses it too, and so is a record without a decimal m:c (Meta.Created,
-- which every record has). A record past its Meta.Expires (m:e, Unix ns) is absent,
-- as Load finds it: its TTL, rounded up to the millisecond, may keep the
-- hash a moment longer. A rename fence (m:mv, m:mvu) that has expired is
-- removed: its rename failed or gave up.
local function check(h, st)
  if not st[1] then
    if st[2] or redis.call('HEXISTS', h, 'm:c') == 1 then return {3} end
    return {0}
  end
  if st[1] ~= '1' then return {3} end
  if st[2] then return {2, st[2]} end
  local ce = redis.call('HMGET', h, 'm:c', 'm:e')
  if not string.match(ce[1] or '', '^%-?%d+$') then return {3} end
  if passed(ce[2]) then return {0} end
  if st[3] then
    if (tonumber(st[3]) or 0) > now_ms() then return {7} end
    redis.call('HDEL', h, 'm:mv', 'm:mvu')
  end
  return nil
end

-- an error reply when the user index key idx holds another Redis type
-- than a sorted set, else nil. Scripts check this before their first write,
-- so that a damaged index makes them fail without having done half their
-- work (Redis does not roll back a script that raises an error).
local function bad_index(idx)
  local t = redis.call('TYPE', idx).ok
  if t == 'zset' or t == 'none' then return nil end
  return redis.error_reply('WRONGTYPE the user index holds a ' .. t .. ', not a sorted set; delete the key')
end

-- lets the user index key idx expire with its last member: at its top
-- score, or never while a member scores '+inf'. Every change that may lower
-- the top score (adding with a lower score, removing members) calls it, so
-- an index never outlives its entries.
local function index_ttl(idx)
  local top = redis.call('ZRANGE', idx, -1, -1, 'WITHSCORES')
  if top[2] == nil then return end
  if top[2] == 'inf' then
    redis.call('PERSIST', idx)
  else
    redis.call('PEXPIREAT', idx, top[2])
  end
end

-- adds member to the user index idx with score (its session's expiry in Unix
-- ms, or '+inf'), drops members whose score has passed, and lets the index
-- key expire with its last member. gt keeps the higher of the old and new
-- score, except over '+inf': a session without expiry that is given one
-- must not keep an entry that never drops.
local function index_add(idx, member, score, gt)
  if gt and redis.call('ZSCORE', idx, member) ~= 'inf' then
    redis.call('ZADD', idx, 'GT', score, member)
  else
    redis.call('ZADD', idx, score, member)
  end
  local n = redis.call('ZCARD', idx)
  -- an index emptied by the purge is gone: not to be touched again
  if redis.call('ZREMRANGEBYSCORE', idx, '-inf', '(' .. now_ms()) < n then index_ttl(idx) end
end

-- the index score m:ix records (cluster-safe mode) as a number, or nil when
-- it is missing or damaged (not a number, or NaN): then the entry is added
-- anew, which repairs it.
local function covered(ix)
  if ix == '+inf' then return math.huge end
  local n = tonumber(ix)
  if n ~= n then return nil end
  return n
end

-- applies a delta to the live record h (see commitScript for the layout of
-- the arguments A); st is HMGET h m:v m:to m:mvu m:u m:ix, idx the user
-- index key of index mode '1'.
local function apply(h, st, idx, A)
  local nset, ndel = tonumber(A[2]), tonumber(A[3])
  local p = 10
  local meta, exp, mode, user, place = A[4] == '1', A[5], A[6], A[8], A[9]
  local stored = meta and string.sub(place, 1, 1) == '~'
  if stored then
    -- the expiry stays as stored: the index entry goes where the record's
    -- own TTL ends, plus the slack after the '~', not where the request
    -- saw it end (and, computed anew by a re-sent run, is always written)
    local pttl = redis.call('PTTL', h)
    if pttl < 0 then
      place = '+inf'
    else
      place = tostring(now_ms() + pttl + tonumber(string.sub(place, 2)))
    end
  end
  -- Everything that can fail is decided before the first write, so that
  -- an error leaves the record as it was.
  local need = false
  if meta and mode == '2' and user ~= '' then
    local cov = covered(st[5])
    -- st[5] == place: the hash records this very coverage already, as after
    -- a run of this commit whose reply was lost before its caller could
    -- write the index; go-redis re-sends the script then, and this run must
    -- ask for the index write again (ZADD GT makes a second one harmless)
    need = stored or st[4] ~= user or cov == nil or st[5] == place
    if not need and exp ~= '' then
      if exp == '0' then
        need = cov ~= math.huge
      else
        need = cov == math.huge or tonumber(exp) > cov
      end
    end
  elseif meta and mode == '1' and user ~= '' then
    local bad = bad_index(idx)
    if bad then return bad end
  end
  if A[1] == '1' then
    local drop = {}
    for _, k in ipairs(redis.call('HKEYS', h)) do
      if string.sub(k, 1, 2) == 'v:' then drop[#drop + 1] = k end
    end
    if #drop > 0 then chunked('HDEL', h, drop, 1, #drop) end
  end
  if ndel > 0 then chunked('HDEL', h, A, p + 2 * nset, p + 2 * nset + ndel - 1) end
  if nset > 0 then chunked('HSET', h, A, p, p + 2 * nset - 1) end
  if not meta then return {1} end

  chunked('HSET', h, A, p + 2 * nset + ndel, #A)
  local reply = {1}
  if need then
    redis.call('HSET', h, 'm:ix', place)
    reply = {1, place}
  end
  if exp == '0' then
    redis.call('PERSIST', h)
  elseif exp ~= '' then
    redis.call('PEXPIREAT', h, exp)
  end
  if mode == '1' and user ~= '' then index_add(idx, A[7], place, false) end
  return reply
end

-- whether a Create or a Rename may not take the key h: true when it holds
-- anything but a retired key's marker (m:rt without m:v), 'marker' when it
-- holds one (no session: the caller may replace it), false when it is
-- absent, the common case, which costs one EXISTS.
local function taken(h)
  if redis.call('EXISTS', h) == 0 then return false end
  if redis.call('TYPE', h).ok ~= 'hash' then return true end
  local m = redis.call('HMGET', h, 'm:v', 'm:rt')
  if m[1] == false and m[2] ~= false then return 'marker' end
  return true
end

-- leaves the retired key h, whose record now lives under the store key
-- new, as a grace alias for grace ms, or else as a marker that lets a
-- retried rename see it is done and lets Load see no session. run, when
-- not nil, is the token of the Rename call (m:rn), by which a run of the
-- same call tells itself from a later call. A record still at h is
-- replaced in place: the alias or marker fields are written, then every
-- other field is deleted.
local function retire(h, grace, new, run)
  local keep
  if tonumber(grace) > 0 then
    redis.call('HSET', h, 'm:v', '1', 'm:to', new)
    keep = {['m:v'] = true, ['m:to'] = true}
  else
    redis.call('HSET', h, 'm:rt', new)
    keep = {['m:rt'] = true}
  end
  if run then
    redis.call('HSET', h, 'm:rn', run)
    keep['m:rn'] = true
  end
  keep_only(h, keep)
  if tonumber(grace) > 0 then
    redis.call('PEXPIRE', h, grace)
  else
    redis.call('PEXPIRE', h, RETIRED_MS)
  end
end

-- moves the record old to new (see renameScript for the arguments A):
-- nil when done, else the reply. The same call's rename to new done
-- already (the script is running again because its reply was lost: the
-- alias or marker holds the call's token) replies {1}; any other call
-- finds no record at old, {0}.
local function rename(old, new, A)
  local st = redis.call('HMGET', old, 'm:v', 'm:to', 'm:mvu', 'm:u', 'm:rt', 'm:rn')
  local bad = check(old, st)
  if bad then
    if ((bad[1] == 2 and bad[2] == A[3]) or (bad[1] == 0 and st[5] == A[3])) and st[6] == A[5] then return {1} end
    if bad[1] == 2 then return {0} end
    return bad
  end
  if taken(new) == true then return {6} end -- RENAME replaces a marker
  local user = st[4]
  local idx
  if user and user ~= '' then
    idx = A[4] .. user .. '}'
    local bad = bad_index(idx)
    if bad then return bad end
  end
  local pttl = redis.call('PTTL', old)
  redis.call('RENAME', old, new)
  retire(old, A[1], A[3], A[5])
  if idx then
    local score = '+inf'
    if pttl >= 0 then score = now_ms() + pttl end
    redis.call('ZREM', idx, A[2])
    index_add(idx, A[3], score, false)
  end
  return nil
end
`

// createScript inserts a record if the key is absent (or holds only a
// retired key's marker, which it replaces in place, TTL included).
//
// KEYS[1] session hash; KEYS[2] user index (ARGV[2] == '1' only).
// ARGV[1] expiry (Unix ms, '0' none); ARGV[2] index mode ('0' none, '1'
// inline); ARGV[3] member (store key); ARGV[4] index score; ARGV[5..] pairs.
var createScript = redis.NewScript(luaLib + `
local h = KEYS[1]
local t = taken(h)
if t == true then return {0} end
if ARGV[2] == '1' then
  local bad = bad_index(KEYS[2])
  if bad then return bad end
end
chunked('HSET', h, ARGV, 5, #ARGV)
if t == 'marker' then
  -- replaced in place, see retire
  local keep = {}
  for i = 5, #ARGV, 2 do keep[ARGV[i]] = true end
  keep_only(h, keep)
end
if ARGV[1] ~= '0' then
  redis.call('PEXPIREAT', h, ARGV[1])
elseif t == 'marker' then
  redis.call('PERSIST', h)
end
if ARGV[2] == '1' then index_add(KEYS[2], ARGV[3], ARGV[4], false) end
return {1}
`)

// commitScript applies a delta to an existing record.
//
// KEYS[1] session hash; KEYS[2] user index (ARGV[6] == '1' only).
// ARGV[1] clear ('1'/'0'); ARGV[2] number of set pairs; ARGV[3] number of
// deleted fields; ARGV[4] '1' when metadata pairs follow (only the fields
// the delta changes); ARGV[5] expiry (Unix ms, '0' none, empty when the
// delta leaves it: the TTL stays); ARGV[6] index
// mode ('0' none, '1' inline, '2' cluster-safe); ARGV[7] member (store
// key); ARGV[8] the user the entry is for; ARGV[9] index score: the expiry
// (inline) or the coverage to record (cluster-safe), each in Unix ms or
// '+inf';
// ARGV[10..] set pairs, deleted fields, metadata pairs.
//
// In cluster-safe mode it replies {1, coverage} when the caller must add the
// session to its user's index (a login, or an expiry past the recorded
// coverage), after recording that coverage in the hash. It replies so too
// when the hash records that coverage already: the script may be running
// again after its first run's reply was lost (go-redis retries a read
// timeout), and that run's caller never wrote the index.
var commitScript = redis.NewScript(luaLib + `
local h = KEYS[1]
local st = redis.call('HMGET', h, 'm:v', 'm:to', 'm:mvu', 'm:u', 'm:ix')
local bad = check(h, st)
if bad then return bad end
return apply(h, st, KEYS[2], ARGV)
`)

// incrementScript adds to an integer field of an existing record.
//
// KEYS[1] session hash. ARGV[1] field; ARGV[2] increment; ARGV[3], ARGV[4]
// (optional) the least and the greatest count to keep (incrementRange).
// Replies {1, new value as a string} (a string keeps all 64 bits; Lua
// numbers would not). Without ARGV[3] the count is bounded by HINCRBY's own
// int64 overflow; with it, a count outside the bounds is undone (the field
// is put back as it was, text and all, or deleted when it was absent) and
// replied as an overflow. The script runs atomically, so nothing sees the
// count in between. Lua compares HINCRBY's reply as a double, which decides
// right for the int32 bounds passed: every integer up to 2^53 is a double,
// and a larger one rounds to no less than 2^53, past either bound.
// HINCRBY takes no leading zeros and no "-0", which sessions.DecodeValue
// reads as an int (another program may write them): on its refusal such a
// text is put in plain decimal and counted; if HINCRBY refuses that too
// (more digits than an int64 holds), the text is put back as it was.
// Of HINCRBY's errors only the two about the value are codes; any other
// (a server refusing writes: OOM, READONLY, MISCONF) is passed on as the
// error reply it is, so that it reads as an outage, not as a value that is
// no integer.
var incrementScript = redis.NewScript(luaLib + `
local h = KEYS[1]
local bad = check(h, redis.call('HMGET', h, 'm:v', 'm:to', 'm:mvu'))
if bad then return bad end
local old
if ARGV[3] then old = redis.call('HGET', h, ARGV[1]) end
local r = redis.pcall('HINCRBY', h, ARGV[1], ARGV[2])
if type(r) == 'table' and r.err and string.find(r.err, 'not an integer', 1, true) then
  local text = redis.call('HGET', h, ARGV[1])
  local sign, digits = string.match(text, '^(%-?)0+(%d+)$')
  if not sign then sign, digits = string.match(text, '^(%-?)(0)$') end
  if sign then
    if digits == '0' then sign = '' end
    redis.call('HSET', h, ARGV[1], sign .. digits)
    r = redis.pcall('HINCRBY', h, ARGV[1], ARGV[2])
    if type(r) == 'table' and r.err then redis.call('HSET', h, ARGV[1], text) end
  end
end
if type(r) == 'table' and r.err then
  if string.find(r.err, 'overflow', 1, true) then return {5} end
  if string.find(r.err, 'not an integer', 1, true) then return {4} end
  return r
end
if ARGV[3] and (r < tonumber(ARGV[3]) or r > tonumber(ARGV[4])) then
  if old then
    redis.call('HSET', h, ARGV[1], old)
  else
    redis.call('HDEL', h, ARGV[1])
  end
  return {5}
end
return {1, redis.call('HGET', h, ARGV[1])}
`)

// incrementRange is what Increment passes to incrementScript after its
// field and increment: nothing on a 64-bit platform, where a Go int is an
// int64 and HINCRBY's overflow is the bound, else the bounds of a Go int,
// so that a count the codec could not decode into an int on this platform
// is refused instead of stored.
var incrementRange = func() []any {
	if bits.UintSize == 64 {
		return nil
	}
	return []any{strconv.FormatInt(math.MinInt, 10), strconv.FormatInt(math.MaxInt, 10)}
}()

// renameScript moves a record in one step. Single-node: it touches two
// sessions' slots and the user index, whose key it derives from the record.
//
// KEYS[1] old hash; KEYS[2] new hash. ARGV[1] grace (ms, '0' none); ARGV[2]
// old member; ARGV[3] new member; ARGV[4] the user index key before the user
// name (prefix .. 'u:{'); ARGV[5] the token of this Rename call (see
// Store.Rename), the same in every run of the call.
var renameScript = redis.NewScript(luaLib + `
return rename(KEYS[1], KEYS[2], ARGV) or {1}
`)

// renameCommitScript is renameScript and then commitScript on the renamed
// record, in one step (Store.RenameCommit).
//
// KEYS[1] old hash; KEYS[2] new hash; KEYS[3] the user index of index mode
// '1'. ARGV[1..5] renameScript's arguments; ARGV[6..] commitScript's.
var renameCommitScript = redis.NewScript(luaLib + `
if KEYS[3] then
  local bad = bad_index(KEYS[3])
  if bad then return bad end
end
local bad = rename(KEYS[1], KEYS[2], ARGV)
if bad then return bad end
local A = {}
for i = 6, #ARGV do A[i - 5] = ARGV[i] end
local st = redis.call('HMGET', KEYS[2], 'm:v', 'm:to', 'm:mvu', 'm:u', 'm:ix')
return apply(KEYS[2], st, KEYS[3], A)
`)

// fenceScript is the first step of the cluster-safe Rename: it puts a
// fence on the old record (m:mv = the new key, m:mvu = until when, Unix ms)
// that makes Commit and Increment wait, and returns the record's fields to
// copy.
//
// KEYS[1] old hash. ARGV[1] new member; ARGV[2] fence duration (ms).
var fenceScript = redis.NewScript(luaLib + `
local h = KEYS[1]
local st = redis.call('HMGET', h, 'm:v', 'm:to', 'm:mvu', 'm:mv')
-- a fence for this very rename is the script's own, set by a run whose
-- reply was lost: it is renewed, not waited out
if st[4] == ARGV[1] then st[3] = false end
local bad = check(h, st)
if bad then
  if bad[1] == 2 then return {0} end
  return bad
end
redis.call('HSET', h, 'm:mv', ARGV[1], 'm:mvu', now_ms() + tonumber(ARGV[2]))
return {1, redis.call('HGETALL', h)}
`)

// retireScript is the last step of the cluster-safe Rename: if the fence
// for this rename still stands, it replaces the old record with a grace
// alias (or a marker, see retire). A run that finds that alias or marker
// already (its reply was lost and it is running again) replies {1} too.
// When the old key holds no record any more (it was deleted meanwhile, and
// is absent or holds a ghost a values-only Commit wrote in its place, or
// another rename's alias or marker), it replies {0}: the delete won.
//
// KEYS[1] old hash. ARGV[1] grace (ms, '0' none); ARGV[2] new member.
var retireScript = redis.NewScript(luaLib + `
local h = KEYS[1]
if redis.call('EXISTS', h) == 0 then return {0} end
local mv = redis.call('HMGET', h, 'm:mv', 'm:mvu', 'm:to', 'm:rt', 'm:v')
if mv[3] == ARGV[2] or mv[4] == ARGV[2] then return {1} end
if not mv[5] or mv[3] then return {0} end
if mv[1] ~= ARGV[2] or (tonumber(mv[2]) or 0) <= now_ms() then return {8} end
retire(h, ARGV[1], ARGV[2])
return {1}
`)

// unfenceScript lifts the fence of a failed cluster-safe Rename.
//
// KEYS[1] old hash. ARGV[1] new member.
var unfenceScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'm:mv') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'm:mv', 'm:mvu')
end
return 1
`)

// indexScript adds a session to a user index (cluster-safe mode).
//
// KEYS[1] user index. ARGV[1] member; ARGV[2] score.
var indexScript = redis.NewScript(luaLib + `
index_add(KEYS[1], ARGV[1], ARGV[2], true)
return {1}
`)

// listScript drops expired members of a user index and lists the rest.
//
// KEYS[1] user index.
var listScript = redis.NewScript(luaLib + `
local n = redis.call('ZCARD', KEYS[1])
if redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now_ms()) == n then return {} end
return redis.call('ZRANGE', KEYS[1], 0, -1)
`)

// indexRemoveScript removes members from a user index and recomputes when
// the index key expires (see index_ttl): removing a member that scored
// '+inf' must not leave the key without expiry for good.
//
// KEYS[1] user index. ARGV members.
var indexRemoveScript = redis.NewScript(luaLib + `
local n = redis.call('ZCARD', KEYS[1])
if chunked('ZREM', KEYS[1], ARGV, 1, #ARGV) < n then index_ttl(KEYS[1]) end
return {1}
`)

// dropGhostScript deletes the hash KEYS[1] if it is a ghost (values only:
// no m:v, m:to, m:c or m:rt; see isGhost), checked in the same step, and
// replies 1 if it deleted it. From a retired key's marker (m:rt) it removes
// the values a Commit wrote into it, and keeps the marker.
var dropGhostScript = redis.NewScript(luaLib + `
local h = KEYS[1]
local m = redis.call('HMGET', h, 'm:v', 'm:to', 'm:c', 'm:rt')
if m[1] or m[2] or m[3] then
  return 0
end
if m[4] then
  local drop = {}
  for _, k in ipairs(redis.call('HKEYS', h)) do
    if string.sub(k, 1, 2) == 'v:' then drop[#drop + 1] = k end
  end
  if #drop > 0 then chunked('HDEL', h, drop, 1, #drop) end
  return 0
end
return redis.call('DEL', h)
`)

// deleteIfUserScript deletes a session only if it still belongs to the user,
// so DeleteUserSessions never logs out someone who logged in meanwhile. It
// replies 1 when it deleted the record, 0 when not; for a record a
// cluster-safe Rename has fenced, the key of the record's copy (m:mv): the
// two are one session.
//
// KEYS[1] session hash. ARGV[1] user.
var deleteIfUserScript = redis.NewScript(`
local m = redis.call('HMGET', KEYS[1], 'm:u', 'm:mv')
if m[1] == ARGV[1] then
  redis.call('DEL', KEYS[1])
  if m[2] then return m[2] end
  return 1
end
return 0
`)
