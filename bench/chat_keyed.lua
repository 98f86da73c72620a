-- wrk: bench/chat.lua with an API key (Authorization: Bearer $GANTRY_BENCH_KEY), for
-- bench/governance.sh. A gateway without keys ignores the header, so every gateway gets the same
-- request bytes.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
chat_request('{"model":"gantry-sim","messages":[{"role":"user","content":"benchmark sim:tokens=16"}]}')
local key = os.getenv("GANTRY_BENCH_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end
