-- generate.lua: one image through libkieimage from LuaJIT (FFI), with progress on stderr.
--
--   KIE_API_KEY=... [KIE_BASE_URL=...] luajit bindings/lua/generate.lua "A sunset" [1:1|3:2|2:3]
--
-- Prints the result URLs on stdout; on failure the status name and detail JSON, exit 1.
package.path = (arg[0]:match("^(.*/)") or "./") .. "?.lua;" .. package.path
local kie = require("kieimage")
local ffi, lib = kie.ffi, kie.lib

local prompt = arg[1] or "A beautiful sunset over the mountains"
local size = arg[2] or "1:1"

local quote = kie.quote

local out = ffi.new("char *[1]")
local client

local ok, err = pcall(function()
  client = kie.client('{"poll":{"initialMs":300}}')

  kie.check(lib.kie_generate(client, ("{\"prompt\":%s,\"size\":%s}"):format(quote(prompt), quote(size)), out), "kie_generate")
  local task_id = kie.json_string(kie.take(out), "taskId")
  io.stderr:write("task ", task_id, "\n")

  -- Progress events arrive on this thread, inside kie_task_wait: a Lua callback is safe here.
  local on_event = ffi.cast("kie_event_cb", function(_, _, _, event_json)
    local p = tonumber(ffi.string(event_json):match('"progress"%s*:%s*([%d.eE+-]+)')) or 0
    io.stderr:write(("\rprogress %3d%%"):format(math.floor(p * 100 + 0.5)))
  end)
  local status = lib.kie_task_wait(client, task_id, nil, on_event, nil, out)
  on_event:free()
  io.stderr:write("\n")
  kie.check(status, "kie_task_wait")
  for _, url in ipairs(kie.json_strings(kie.take(out), "resultUrls")) do print(url) end
end)

kie.finish(client, ok, err)
