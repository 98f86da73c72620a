-- wrk: streaming chat completion; 50 tokens = one SSE event each, plus role, finish and [DONE].
-- wrk decodes the chunked body and counts a request when the stream ends, so requests/s is whole
-- streams per second and its latency is time to the end of the stream (TTFC is FirstChunk.java's job).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
chat_request('{"model":"gantry-sim","stream":true,"messages":[{"role":"user","content":"benchmark sim:tokens=50"}]}')
