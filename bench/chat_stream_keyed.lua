-- wrk: bench/chat_stream.lua with an API key (see chat_keyed.lua).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
chat_request('{"model":"gantry-sim","stream":true,"messages":[{"role":"user","content":"benchmark sim:tokens=50"}]}')
local key = os.getenv("GANTRY_BENCH_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end
