-- kieimage for LuaJIT: the C ABI through the FFI, declarations parsed from include/kieimage.h so
-- they can never drift from the library's header.
--
--   local kie = require("kieimage")          -- KIEIMAGE_LIB (path to libkieimage.so) and
--   local lib, ffi = kie.lib, kie.ffi        -- KIEIMAGE_HEADER (path to kieimage.h) override
--
-- Every function of the header is callable as kie.lib.kie_* (the journal's kie_journal_list,
-- kie_resume and kie_journal_resolve, kie_models, ...). Helpers: kie.check(status) raises on an
-- error with the status name and detail JSON; kie.take(char **) copies and frees a
-- library-owned string; kie.quote(s) makes a JSON string literal.
local ffi = require("ffi")

local M = { ffi = ffi }

local here = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./")

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

-- The header, reduced to what ffi.cdef understands: no comments, no preprocessor lines, no
-- export macro, no extern "C" wrapper.
local function declarations(text)
  text = text:gsub("/%*.-%*/", "")
  local lines = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do
    if not line:match("^%s*#") then lines[#lines + 1] = line end
  end
  text = table.concat(lines, "\n")
  text = text:gsub('extern%s+"C"%s*{', ""):gsub("\n}%s*\n", "\n")
  text = text:gsub("KIE_API%s+", "")
  return text
end

local header_path = os.getenv("KIEIMAGE_HEADER") or (here .. "../../include/kieimage.h")
local header = assert(read_file(header_path), "cannot read " .. header_path .. " (set KIEIMAGE_HEADER)")
ffi.cdef(declarations(header))
M.ABI_VERSION = tonumber(header:match("#define%s+KIE_ABI_VERSION%s+(%d+)"))

local lib_path = os.getenv("KIEIMAGE_LIB") or "libkieimage.so.1"
M.lib = ffi.load(lib_path)
local lib = M.lib
-- LuaJIT dlclose()s the library when the state closes (script end), but the library's event
-- loop threads (SwiftNIO) outlive every client: unmapping the code under them crashes the
-- process at exit with builds not linked with -z nodelete (current ones are). Pinning the
-- library with RTLD_NODELETE makes that dlclose harmless whatever the build.
ffi.cdef("void *dlopen(const char *filename, int flags);")
local RTLD_NOW, RTLD_NODELETE = 0x2, 0x1000
M.pin = ffi.C.dlopen(lib_path, RTLD_NOW + RTLD_NODELETE)
if lib.kie_abi_version() ~= M.ABI_VERSION then
  error(("libkieimage ABI %d, header %d"):format(lib.kie_abi_version(), M.ABI_VERSION))
end

-- A tiny reader for the few JSON fields the example needs (no JSON library in stock LuaJIT).
function M.json_string(json, key)
  return json:match('"' .. key .. '"%s*:%s*"([^"]*)"')
end

function M.json_strings(json, key)
  local list = json:match('"' .. key .. '"%s*:%s*%[(.-)%]') or ""
  local out = {}
  for s in list:gmatch('"([^"]*)"') do out[#out + 1] = s end
  return out
end

-- A Lua string as a JSON string literal.
function M.quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return ({ ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" })[c]
      or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

function M.check(status, what)
  status = tonumber(status)
  if status ~= 0 then
    local detail = ffi.string(lib.kie_last_error())
    local name = M.json_string(detail, "name") or "?"
    error(("%s failed: %s: %s (%d)\n%s"):format(what or "kie call", name, ffi.string(lib.kie_status_str(status)), status, detail), 0)
  end
end

function M.take(out)
  if out[0] == nil then return nil end
  local s = ffi.string(out[0])
  lib.kie_string_free(out[0])
  out[0] = nil
  return s
end

-- The end of an example: frees the client if one was made, and on failure (pcall's ok false)
-- writes the error to stderr and exits 1.
-- A new client for `config` (JSON text, or nil for the defaults), freed by the garbage
-- collector or, at once, by M.finish.
function M.client(config)
  local out = ffi.new("kie_client *[1]")
  M.check(lib.kie_client_new(config, out), "kie_client_new")
  return ffi.gc(out[0], lib.kie_client_free)
end

function M.finish(client, ok, err)
  if client then
    lib.kie_client_free(ffi.gc(client, nil))
  end
  if not ok then
    io.stderr:write(tostring(err), "\n")
    os.exit(1)
  end
end

return M
