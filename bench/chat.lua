-- wrk: non-streaming chat completion; the simulator answers with a 16-token JSON completion.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
chat_request('{"model":"gantry-sim","messages":[{"role":"user","content":"benchmark sim:tokens=16"}]}')
