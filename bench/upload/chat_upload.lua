-- wrk script: JSON chat uploads with metadata, tags and a participant, each with its own
-- sourceIdentifier (a duplicate would take the cheap idempotency path and flatter the figure).
-- Env: SJ_TOKEN (API token), SJ_RUN (unique run prefix), SJ_DELAY_MS (per-connection pacing; 0 = flat out).

local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("SJ_TOKEN")
  run = os.getenv("SJ_RUN") or "run"
  pace = tonumber(os.getenv("SJ_DELAY_MS") or "0")
end

function delay()
  return pace
end

function request()
  counter = counter + 1
  local body = string.format([[{"sourceIdentifier":"%s-%d-%d","direction":"INBOUND","timestamp":"2026-06-23T14:30:00Z",
"agent":{"name":"Jane Doe","email":"jane.%d@example.com","sourceIdentifier":"agent-%d"},
"tags":["VIP","billing"],
"customMetadata":{"disposition":"sale","recordingConsent":true,"dealValue":%d},
"transcript":{"text":"Agent: Thanks for calling, how can I help?\nCustomer: My order has not arrived yet."}}]],
    run, thread_id, counter, counter % 50, counter % 50, counter)
  return wrk.format("POST", "/api/v1/upload", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

local errors = 0
function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("non-200: " .. status .. " " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f errors_status=%d errors_socket=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
