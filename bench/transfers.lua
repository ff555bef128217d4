-- wrk script of bench/transfers: POST /api/v1/transfers of amount 1 between a random pair of
-- distinct wallets (bench/transfers.sql draws its pairs the same way), each request with its own
-- Idempotency-Key: PREFIX-<thread>-<counter>.
--
--   wrk ... -H 'Authorization: Bearer ...' -s bench/transfers.lua URL -- WALLETS_FILE PREFIX
--
-- WALLETS_FILE holds one wallet id per line; PREFIX must differ between runs against one
-- organisation (a reused key would replay, or be refused with another body).

local threads = 0

-- Runs in wrk's main state, once per thread before it starts: numbers the threads.
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local wallets = {}
local key_prefix
local sent = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then wallets[#wallets + 1] = line end
  end
  assert(#wallets >= 2, "bench/transfers.lua: fewer than two wallets in " .. args[1])
  key_prefix = args[2] .. "-" .. thread_number .. "-"
  math.randomseed(os.time() + 7919 * thread_number)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  local n = #wallets
  local from = math.random(n)
  local to = (from + math.random(n - 1) - 1) % n + 1 -- any other wallet, uniformly
  wrk.headers["Idempotency-Key"] = key_prefix .. sent
  return wrk.format(nil, nil, nil, string.format(
    '{"fromWalletId":"%s","toWalletId":"%s","amount":1,"type":"TRANSFER"}',
    wallets[from], wallets[to]))
end
