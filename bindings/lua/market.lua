-- market.lua: one GPT Image 2 image (kie's Market API) through libkieimage from LuaJIT.
--
--   KIE_API_KEY=... [KIE_BASE_URL=...] luajit bindings/lua/market.lua "A lighthouse" [16:9] [1K] [MODEL]
--
-- Prints the result URLs on stdout; on failure the status name and detail JSON, exit 1.
package.path = (arg[0]:match("^(.*/)") or "./") .. "?.lua;" .. package.path
local kie = require("kieimage")
local ffi, lib = kie.ffi, kie.lib

local prompt = arg[1] or "A lighthouse on a rocky headland at dusk"
local aspect = arg[2] or "16:9"
local resolution = arg[3] or "1K"
local model = arg[4] or "gpt-image-2-text-to-image"

local out = ffi.new("char *[1]")
local client

local ok, err = pcall(function()
  client = kie.client('{"poll":{"initialMs":300}}')
  local request = ('{"model":%s,"input":{"prompt":%s,"aspect_ratio":%s,"resolution":%s}}'):format(
    kie.quote(model), kie.quote(prompt), kie.quote(aspect), kie.quote(resolution))
  kie.check(lib.kie_generate(client, request, out), "kie_generate")
  local task_id = kie.json_string(kie.take(out), "taskId")
  io.stderr:write("task ", task_id, "\n")
  kie.check(lib.kie_task_wait(client, task_id, nil, nil, nil, out), "kie_task_wait")
  local task = kie.take(out)
  for _, url in ipairs(kie.json_strings(task, "resultUrls")) do print(url) end
  io.stderr:write("model ", kie.json_string(task, "model") or "?", ", credits consumed ",
    task:match('"creditsConsumed"%s*:%s*([%d.]+)') or "?", "\n")
end)

kie.finish(client, ok, err)
