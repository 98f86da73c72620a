-- wrk: background streamed Responses (store on, events stored for resume), 40 tokens each, 20 ms
-- apart, so every connection makes about one response a second whatever the CPU: a steady load.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
chat_request('{"model":"gantry-sim","stream":true,"background":true,'
  .. '"input":"retention benchmark sim:tokens=40 sim:delay=20"}', "/v1/responses")
