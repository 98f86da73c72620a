-- wrk: stateful Responses API create (store on), blocking; same 16-token answer as chat.lua.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
chat_request('{"model":"gantry-sim","input":"benchmark sim:tokens=16"}', "/v1/responses")
