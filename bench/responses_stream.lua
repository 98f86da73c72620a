-- wrk: stateful Responses API create (store on), streaming; same 50 tokens as chat_stream.lua.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
chat_request('{"model":"gantry-sim","stream":true,"input":"benchmark sim:tokens=50"}', "/v1/responses")
