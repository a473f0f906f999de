(* The gc-latency workload (bench/memory/gc_latency.atl) in OCaml: a window
   of slots receives fresh 1 KiB Bytes; every push is timed. One JSON line. *)
let () =
  let messages = if Array.length Sys.argv > 1 then int_of_string Sys.argv.(1) else 1000000 in
  let window = if Array.length Sys.argv > 2 then int_of_string Sys.argv.(2) else 200000 in
  let slots = Array.make window Bytes.empty in
  let push = Array.make messages 0.0 in
  let start = Unix.gettimeofday () in
  for i = 0 to messages - 1 do
    let t0 = Unix.gettimeofday () in
    slots.(i mod window) <- Bytes.make 1024 (Char.chr (97 + i mod 26));
    push.(i) <- Unix.gettimeofday () -. t0
  done;
  let wall = Unix.gettimeofday () -. start in
  Array.sort compare push;
  let q x = push.(int_of_float (x *. float_of_int (messages - 1))) *. 1e3 in
  Printf.printf
    "{\"mode\":\"ocaml\",\"wall_ms\":%.3f,\"push_p50_ms\":%.6f,\"push_p90_ms\":%.6f,\"push_p99_ms\":%.6f,\"push_p999_ms\":%.6f,\"push_p9999_ms\":%.6f,\"push_max_ms\":%.6f}\n"
    (wall *. 1e3) (q 0.5) (q 0.9) (q 0.99) (q 0.999) (q 0.9999) (push.(messages - 1) *. 1e3)
