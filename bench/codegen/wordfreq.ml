(* Word frequencies in OCaml (ocamlopt, native code):
   the file's words counted in a Hashtbl, the ten most frequent printed
   (ties in alphabetical order). Same output as wordfreq.atl, .c and .hs. *)
let () =
  let ic = open_in_bin Sys.argv.(1) in
  let n = in_channel_length ic in
  let text = really_input_string ic n in
  close_in ic;
  let table = Hashtbl.create 65536 in
  let words = ref 0 in
  let i = ref 0 in
  let space c = c = ' ' || c = '\n' in
  while !i < n do
    while !i < n && space text.[!i] do incr i done;
    let start = !i in
    while !i < n && not (space text.[!i]) do incr i done;
    if !i > start then begin
      let w = String.sub text start (!i - start) in
      incr words;
      match Hashtbl.find_opt table w with
      | Some c -> Hashtbl.replace table w (c + 1)
      | None -> Hashtbl.add table w 1
    end
  done;
  let all = Hashtbl.fold (fun w c acc -> (c, w) :: acc) table [] in
  let by_count (c1, w1) (c2, w2) = if c1 <> c2 then compare c2 c1 else compare w1 w2 in
  Printf.printf "%d words, %d distinct\n" !words (Hashtbl.length table);
  List.iteri (fun k (c, w) -> if k < 10 then Printf.printf "%s %d\n" w c) (List.sort by_count all)
