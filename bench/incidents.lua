-- wrk script for bench/incidents.sh: `wrk ... -s bench/incidents.lua URL -- MODE N`
--   MODE list    first pages of filtered, sorted incident lists (cycles through typical views)
--        search  full-text searches (q=...), first page
--        read    GET /api/v1/incidents/INC-nnnnnn for random keys in 1..N
--        create  POST /api/v1/incidents (JSON), each a different incident
-- The bearer token comes from the environment (TOKEN). At the end it prints one line:
--   RESULT requests=.. p50_ms=.. p95_ms=.. p99_ms=.. max_ms=.. non2xx=.. errors=..

local mode, n = "list", 1000000
local token = os.getenv("TOKEN") or ""
local counter = 0

local lists = {
  "/api/v1/incidents?status=new,assigned,in_progress,pending&sort=-created&limit=50",
  "/api/v1/incidents?status=new,assigned&priority=1,2&sort=due&limit=50",
  "/api/v1/incidents?assignee=me&status=assigned,in_progress,pending&sort=-updated&limit=50",
  "/api/v1/incidents?group=soc-l1&status=in_progress,pending&sort=priority&limit=50",
  "/api/v1/incidents?priority=1&sort=-created&limit=50",
  "/api/v1/incidents?category=phishing&sort=-created&limit=50",
  "/api/v1/incidents?status=resolved&sort=-updated&limit=50",
  "/api/v1/incidents?status=closed&priority=2&category=intrusion&sort=-created&limit=50",
  "/api/v1/incidents?restricted=true&sort=-created&limit=50",
  "/api/v1/incidents?assignee=none&status=new&sort=created&limit=50",
}

local searches = {
  "ransomware", "phishing", "brute force", "fs01", "vpn", "web shell", "ddos",
  "disk full", "payroll", "encrypted files", "lockbit", "credentials", "password spraying",
  "laptop", "vendor workaround",
}

function init(args)
  mode = args[1] or mode
  n = tonumber(args[2] or n)
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Accept"] = "application/json"
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
end

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  counter = counter + 1
  if mode == "list" then
    return wrk.format("GET", lists[(counter % #lists) + 1])
  elseif mode == "search" then
    local q = searches[(counter % #searches) + 1]
    return wrk.format("GET", "/api/v1/incidents?q=" .. urlencode(q) .. "&limit=50")
  elseif mode == "read" then
    return wrk.format("GET", string.format("/api/v1/incidents/INC-%06d", math.random(1, n)))
  else
    local body = string.format(
      '{"title":"Phishing e-mail reported by user %d","description":"A user forwarded a suspicious' ..
      ' message asking to confirm their password. Link points to a look-alike domain.",' ..
      '"category":"fraud","subcategory":"phishing","impact":"%s","urgency":"%s",' ..
      '"group":"soc-l1","source":"email","affects_confidentiality":true}',
      counter, ({"minor", "moderate", "significant"})[(counter % 3) + 1],
      ({"low", "medium", "high"})[(counter % 3) + 1])
    wrk.headers["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/v1/incidents", nil, body)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.status,
    e.connect + e.read + e.write + e.timeout))
end
