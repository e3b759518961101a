-- bench_login.lua: wrk script for scripts/bench_login.py. Every request is
-- POST /api/v1/login with a code never sent before (the simulator accepts
-- test:<openid>:<anything>): the run's tag (the script's argument), the
-- thread's number and a count make it unique; each wrk thread logs in 128
-- people in turn.
counter = 0                -- globals: setup() sets "id" in each thread's own state

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  run = args[1] or "x"
  n = 0
end

function request()
  n = n + 1
  local body = string.format('{"code":"test:bw%st%dp%d:%d"}', run, id, n % 128, n)
  return wrk.format("POST", "/api/v1/login", { ["Content-Type"] = "application/json" }, body)
end
