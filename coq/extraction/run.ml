(* Runs the Coq checker extracted to OCaml (Extract.v) on certificates written as flat data by
   `python -m mechproof.coqgen --flat CERT OUT`: whitespace-separated tokens, a list as its length and
   its entries, an option as 0 or 1 and its value. Prints one line per file: the verdict and the CPU
   seconds of the check; exits 0 if every certificate passes, 1 if one does not, 2 on unreadable data. *)
open Checker

exception Bad of string

let tokens file =
  let ic = open_in_bin file in
  let text = really_input_string ic (in_channel_length ic) in
  close_in ic;
  ref (List.filter (fun s -> s <> "") (String.split_on_char ' '
         (String.map (fun c -> if c = '\n' || c = '\t' || c = '\r' then ' ' else c) text)))

let next toks = match !toks with t :: r -> toks := r; t | [] -> raise (Bad "unexpected end")
let z toks = Big_int_Z.big_int_of_string (next toks)
let int toks = int_of_string (next toks)
let list f toks = let n = int toks in List.init n (fun _ -> f toks)
let option f toks = match int toks with 0 -> None | 1 -> Some (f toks) | _ -> raise (Bad "option")
let config toks =
  let d_vocab = int toks in let n_ctx = int toks in let d_model = int toks in let d_head = int toks in
  { d_vocab; n_ctx; d_model; d_head }
let tensor toks = let exponent = z toks in let mantissas = list z toks in { exponent; mantissas }

let weights toks =
  let cfg = config toks in
  let w_E = tensor toks in let w_pos = tensor toks in let w_Q = tensor toks in let w_K = tensor toks in
  let w_V = tensor toks in let w_O = tensor toks in let w_U = tensor toks in
  { cfg; w_E; w_pos; w_Q; w_K; w_V; w_O; w_U }

let exp_claim toks =
  let ec_of = (match int toks with 0 -> EQKE | 1 -> EQKP | _ -> raise (Bad "of")) in
  let ec_exp = list (list z) toks in let ec_lo = list (list z) toks in let ec_hi = list (list z) toks in
  { ec_of; ec_exp; ec_lo; ec_hi }

let case toks =
  let ce_q = z toks in let ce_m = z toks in let ce_c = z toks in let ce_kp = z toks in let ce_kn = z toks in
  { ce_q; ce_m; ce_c; ce_kp; ce_kn }

let cert toks =
  let version = z toks in
  let cert_config = config toks in
  let strategy_name = (match int toks with 0 -> Cubic | 1 -> CubicResidual | 2 -> Subcubic | _ -> raise (Bad "strategy")) in
  let is_lo = z toks in let is_hi = z toks in let is_exp = z toks in
  let exp_eqke = exp_claim toks in let exp_eqkp = exp_claim toks in
  let cases = list case toks in
  let residual = option (list z) toks in
  let wrong = option (fun t -> let wr_inputs = list z t in let wr_witness = list z t in { wr_inputs; wr_witness }) toks in
  let correct = z toks in let total = z toks in let upper = option z toks in
  { version; cert_config; strategy_name; inv_sqrt_d_head = { is_lo; is_hi; is_exp }; exp_eqke; exp_eqkp;
    cases; residual; wrong; cert_bound = { correct; total; upper } }

let () =
  let worst = ref 0 in
  for i = 1 to Array.length Sys.argv - 1 do
    let file = Sys.argv.(i) in
    (try
      let toks = tokens file in
      if next toks <> "mechproof-coq-flat-1" then raise (Bad "not flat data of this version");
      let w = weights toks in
      let c = cert toks in
      if !toks <> [] then raise (Bad "trailing data");
      let t0 = Sys.time () in
      let ok = CheckZ.check w c in
      Printf.printf "%s: %b (%.2f s)\n%!" file ok (Sys.time () -. t0);
      if not ok then worst := max !worst 1
    with Bad why | Failure why -> Printf.printf "%s: unreadable (%s)\n%!" file why; worst := 2)
  done;
  exit !worst
