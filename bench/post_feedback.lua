-- wrk script: POST /api/v1/feedback with realistic feedback, a new visitor every request.
--
--   wrk -t2 -c32 -d15s -s bench/post_feedback.lua http://127.0.0.1:PORT -- STATION VERSION SIG RUN
--
-- Every request has a random 10-digit mobile number starting with 6-9 (so intake's limit of
-- a few ratings per number per station per day is checked as it is for real visitors, and
-- rarely hit), a random rating and answers, and a Hindi comment ending in "(bench RUN)" so
-- the benchmark can tell its own events from anyone else's on the topic.
--
-- done() prints machine-readable lines that bench/intake_load.py reads:
--   STATUS 202=12345 503=2            responses by HTTP status, all threads together
--   LATENCY_MS p50=3.10 p99=12.80      over every response, whatever its status
--   SUMMARY requests=12347 duration_s=15.00 connect=0 read=0 write=0 timeout=0

local threads = {}

local names = { "राम कुमार", "सुनीता देवी", "अमित शर्मा", "पूजा यादव", "मोहम्मद आरिफ", "हरप्रीत कौर" }
local complaint_types = { "theft", "vehicle_theft", "cyber_fraud", "lost_article", "traffic",
    "verification", "other" }
local comments = {
    "थाने में स्टाफ ने अच्छे से बात की और शिकायत तुरंत दर्ज की।",
    "मुझे एक घंटे इंतज़ार करना पड़ा, कोई अधिकारी मौजूद नहीं था।",
    "मोबाइल चोरी की रिपोर्ट लिखी गई, पर अभी तक कोई जानकारी नहीं मिली।",
    "किरायेदार सत्यापन जल्दी हो गया, धन्यवाद।",
}

function setup(thread)
    table.insert(threads, thread)
    thread:set("seed", #threads)
end

function init(args)
    -- args[0] is the URL; the words after "--" follow from args[1].
    station = args[1] or "GGN-SADAR"
    qr_version = tonumber(args[2] or "1")
    sig = args[3] or ""
    run = args[4] or "manual"
    statuses = {}
    math.randomseed(os.time() * 100 + seed)
    headers = { ["Content-Type"] = "application/json" }
end

local function pick(list)
    return list[math.random(#list)]
end

local function yes_no()
    return math.random(2) == 1 and "true" or "false"
end

function request()
    local mobile = string.format("%d%09d", math.random(6, 9), math.random(0, 999999999))
    local body = string.format(
        '{"station_code":"%s","qr_version":%d,"sig":"%s","rating":%d,"name":"%s",'
            .. '"mobile":"%s","complaint_type":"%s","staff_available":%s,"staff_helped":%s,'
            .. '"problem_resolved":%s,"cleanliness":%d,"language":"hi","comments":"%s (bench %s)"}',
        station, qr_version, sig, math.random(5), pick(names), mobile, pick(complaint_types),
        yes_no(), yes_no(), yes_no(), math.random(5), pick(comments), run)
    return wrk.format("POST", "/api/v1/feedback", headers, body)
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        for status, count in pairs(thread:get("statuses")) do
            total[status] = (total[status] or 0) + count
        end
    end
    local codes = {}
    for status in pairs(total) do
        table.insert(codes, status)
    end
    table.sort(codes)
    local parts = {}
    for _, status in ipairs(codes) do
        table.insert(parts, string.format("%d=%d", status, total[status]))
    end
    io.write("STATUS ", table.concat(parts, " "), "\n")
    io.write(string.format("LATENCY_MS p50=%.2f p99=%.2f\n",
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
    local errors = summary.errors
    io.write(string.format(
        "SUMMARY requests=%d duration_s=%.3f connect=%d read=%d write=%d timeout=%d\n",
        summary.requests, summary.duration / 1e6, errors.connect, errors.read, errors.write,
        errors.timeout))
end
