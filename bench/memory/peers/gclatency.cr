# The gc-latency workload (bench/memory/gc_latency.atl) in Crystal (Boehm
# underneath): a window of slots receives fresh 1 KiB Bytes; every push is
# timed. One JSON line.
messages = (ARGV[0]? || "1000000").to_i
window = (ARGV[1]? || "200000").to_i
slots = Array(Bytes).new(window) { Bytes.empty }
push = Array(Float64).new(messages, 0.0)
start = Time.monotonic
messages.times do |i|
  t0 = Time.monotonic
  slots[i % window] = Bytes.new(1024, (97 + i % 26).to_u8)
  push[i] = (Time.monotonic - t0).total_milliseconds
end
wall = (Time.monotonic - start).total_milliseconds
push.sort!
q = ->(x : Float64) { push[(x * (messages - 1)).to_i] }
printf("{\"mode\":\"crystal\",\"wall_ms\":%.3f,\"push_p50_ms\":%.6f,\"push_p90_ms\":%.6f,\"push_p99_ms\":%.6f,\"push_p999_ms\":%.6f,\"push_p9999_ms\":%.6f,\"push_max_ms\":%.6f}\n",
  wall, q.call(0.5), q.call(0.9), q.call(0.99), q.call(0.999), q.call(0.9999), push[messages - 1])
