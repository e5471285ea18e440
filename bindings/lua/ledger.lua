-- ledger.lua: a generate on the shared ledger (docs/ledger.md) from LuaJIT, with an idempotency key.
--
--   KIE_API_KEY=... luajit bindings/lua/ledger.lua sqlite:/var/lib/app/kie-ledger.db "A sunset" order-17
--   KIE_API_KEY=... luajit bindings/lua/ledger.lua postgresql://app@db.example/app "A sunset" order-17
--
-- Every process (and host) naming the same ledger shares one rate limit and one task ledger for
-- the API key. A generate carrying an idempotency key already in the ledger -- sent by this
-- script, an earlier run of it or any other process -- sends nothing and answers with the first
-- one's task: this script sends its request twice to show it. Prints the two task ids (the same)
-- and the result URLs on stdout; on failure the status name and detail JSON, exit 1
-- (KIE_E_LEDGER when the ledger is unreachable: then nothing was sent).
package.path = (arg[0]:match("^(.*/)") or "./") .. "?.lua;" .. package.path
local kie = require("kieimage")
local ffi, lib = kie.ffi, kie.lib

local ledger = arg[1] or os.getenv("KIE_LEDGER") or "sqlite:kie-ledger.db"
local prompt = arg[2] or "A lighthouse on a rocky headland at dusk"
local key = arg[3] or ("lua-example-" .. os.time())

local out = ffi.new("char *[1]")
local client

local ok, err = pcall(function()
  local config = ('{"ledger":%s,"poll":{"initialMs":300}}'):format(kie.quote(ledger))
  client = kie.client(config)

  local request = ('{"prompt":%s,"size":"1:1","idempotencyKey":%s}'):format(kie.quote(prompt), kie.quote(key))
  local ids = {}
  for i = 1, 2 do
    kie.check(lib.kie_generate(client, request, out), "kie_generate")
    ids[i] = kie.json_string(kie.take(out), "taskId")
    print(ids[i])
  end
  io.stderr:write("idempotency key ", key, ": task ", ids[1],
    ids[1] == ids[2] and " (the second generate sent nothing)\n" or " and another task?\n")

  kie.check(lib.kie_task_wait(client, ids[1], nil, nil, nil, out), "kie_task_wait")
  for _, url in ipairs(kie.json_strings(kie.take(out), "resultUrls")) do print(url) end
end)

kie.finish(client, ok, err)
