(** The input rule (docs/certificate.md §8) and the claims built on it (§9): inputs proven right or
    wrong one by one.

    Mirrors [python/mechproof/tasks/maxk/checker/inputs.py] and [lean/MechProof/Inputs.lean]. An input
    t = (t_0, …, t_{n−1}) is decided exactly from the weights: with w_p ∈ [w_lo,p, w_hi,p] the checker's
    own enclosure of exp(score_p/√d), logit_j − logit_m = Σ_p w_p·N_{p,j} / Σ_p w_p, so
    up_j = Σ_p N_{p,j}·(w_hi,p if N_{p,j} ≥ 0 else w_lo,p) < 0 for every j ≠ m proves the input right,
    and lo_j = Σ_p N_{p,j}·(w_lo,p if N_{p,j} ≥ 0 else w_hi,p) ≥ 0 for one j ≠ m proves it wrong.

    Everything the rule needs is formed once per certificate ([mk_rule]) and kept in tables, so that
    deciding one of the hundreds of thousands of inputs a certificate may list costs a few lookups. *)
From Coq Require Import ZArith List.
From MechProof Require Import Int Table Arith Exp Model Cert Matrices.
Import ListNotations.
Local Open Scope Z_scope.
Local Open Scope bool_scope.

(** The checker's own enclosures of one row of EQKE or EQKP, at one exponent: (lo mantissas,
    hi mantissas, exponent). Outside the functor, over the type [T] of mantissas. *)
Definition encl_row (T : Type) : Type := list T * list T * Z.

(** What the input rule needs of one model (docs §8), for random access. All of EUPU, EVOU, PVOU, E*,
    V* are at the exponent [d_e] of [Matrices.derive]. *)
Record rule (T : Type) := {
  rl_V : Z;
  rl_n : Z;
  (** tok[q, t] for every q, t: (lo by token, hi by token, exponent) *)
  rl_tok : table (table T * table T * Z);
  (** pos[q, p] for every q: (lo by position, hi by position, exponent) *)
  rl_pos : table (encl_row T);
  (** the weights' ends tok_lo[q, t]·pos_lo[q, p] and tok_hi[q, t]·pos_hi[q, p], by q and t, a list by p *)
  rl_w : table (table (list (T * T)));
  (** the rows of EUPU (by query token), EVOU (by token), PVOU (by position), as lists and as tables *)
  rl_eupu : table (list T); rl_eupu_t : table (table T);
  rl_evou : table (list T); rl_evou_t : table (table T);
  rl_pvou : table (list T); rl_pvou_t : table (table T);
  (** E*[q, m] and V*[m, t], for U[q, m, t] = E*[q, m] + V*[m, t] (docs §2) *)
  rl_estar : table (table T);
  rl_vstar : table (table T) }.
Arguments rl_V {T}. Arguments rl_n {T}. Arguments rl_tok {T}. Arguments rl_pos {T}. Arguments rl_w {T}.
Arguments rl_eupu {T}. Arguments rl_eupu_t {T}. Arguments rl_evou {T}. Arguments rl_evou_t {T}.
Arguments rl_pvou {T}. Arguments rl_pvou_t {T}. Arguments rl_estar {T}. Arguments rl_vstar {T}.

(** ** Inputs and their tokens (no arithmetic of [I]) *)

(** The max token m of an input (its tokens are ≥ 0). *)
Definition max_tok (tokens : list Z) : Z := fold_left Z.max tokens 0.

(** The query token q = t_{n−1}. *)
Definition query_tok (tokens : list Z) : Z := last tokens 0.

(** The non-query tokens of an input (t_0, …, t_{n−2}). *)
Definition non_query (tokens : list Z) : list Z := removelast tokens.

(** Does [a] share no entry with [b]? Both strictly increasing: one merge. *)
Fixpoint drop_below {T} (lt : T -> T -> bool) (x : T) (b : list T) : list T :=
  match b with [] => [] | y :: b' => if lt y x then drop_below lt x b' else b end.

Module Inputs (I : INT).
  Module Export Mx := Matrices I.
  Module Export Ex := Exp I.

  Definition rule := rule I.t.

  (** ** The checker's own exp enclosures (docs §8, §4.2) *)

  (** [[exp_bounds(x_lo).lo, exp_bounds(x_hi).hi]] for x = a·[r_lo, r_hi], where x_lo and x_hi are the
      smaller and the larger of a·r_lo, a·r_hi; [None] when an argument is outside the limit of §6
      step 0 (the certificate is then malformed). *)
  Definition enclose (r : dy * dy) (a : dy) : option (dy * dy) :=
    let x1 := dy_mul a (fst r) in
    let x2 := dy_mul a (snd r) in
    let '(xlo, xhi) := if dy_nonneg a then (x1, x2) else (x2, x1) in
    if exp_in_range (fst xlo) (snd xlo) && exp_in_range (fst xhi) (snd xhi)
    then Some (fst (exp_bounds (fst xlo) (snd xlo)), snd (exp_bounds (fst xhi) (snd xhi)))
    else None.

  (** The enclosures of every entry of a matrix. *)
  Definition enclose_mat (r : dy * dy) (M : mat) : list (list (option (dy * dy))) :=
    map (map (fun x => enclose r (x, mexp M))) (rows M).

  Definition unwrap (o : option (dy * dy)) : dy * dy := match o with Some iv => iv | None => (dy_zero, dy_zero) end.

  (** Interval ends at one common exponent (docs §8: python [_common]). *)
  Definition common (ivs : list (dy * dy)) : encl_row I.t :=
    let e := min_exp (map fst ivs ++ map snd ivs) in
    (align e (map fst ivs), align e (map snd ivs), e).

  (** ** The rule, formed once *)
  Definition mk_rule (V n : Z) (D : derived) (own_eqke own_eqkp : list (list (option (dy * dy)))) : rule :=
    let tab_rows := fun (l : list (list I.t)) => of_list (map of_list l) in
    let toks := map (fun row => common (map unwrap row)) own_eqke in
    let poss := map (fun row => common (map unwrap row)) own_eqkp in
    {| rl_V := V; rl_n := n;
       rl_tok := of_list (map (fun r => let '(lo, hi, e) := r in (of_list lo, of_list hi, e)) toks);
       rl_pos := of_list poss;
       rl_w := of_list (map2 (fun tk ps =>
                 let '(tlo, thi, _) := tk in let '(plo, phi, _) := ps in
                 of_list (map2 (fun a b => map2 (fun c d => (I.mul a c, I.mul b d)) plo phi) tlo thi)) toks poss);
       rl_eupu := of_list (eupu_rows D); rl_eupu_t := tab_rows (eupu_rows D);
       rl_evou := of_list (evou_rows D); rl_evou_t := tab_rows (evou_rows D);
       rl_pvou := of_list (pvou_rows D); rl_pvou_t := tab_rows (pvou_rows D);
       rl_estar := tab_rows (estar D); rl_vstar := tab_rows (vstar D) |}.

  (** Entry (i, j) of a table of rows (0 outside). *)
  Definition get2 (t : table (table I.t)) (i j : Z) : I.t := get (get t i empty) j I.zero.

  (** U[q, m, t] = E*[q, m] + V*[m, t], the mantissa at exponent [d_e] (docs §2). *)
  Definition U_of (R : rule) (q m t : Z) : I.t := I.add (get2 (rl_estar R) q m) (get2 (rl_vstar R) m t).

  (** ** The rule on one input *)

  (** w_lo,p and w_hi,p (docs §8) for every position p, at one exponent: pos[q, p] times tok[q, t_p]
      ([rl_w]), or pos alone when all tokens are equal (tok is then a common positive factor of every
      weight, taken as 1). *)
  Definition weights_of (R : rule) (tokens : list Z) : list (I.t * I.t) :=
    let q := query_tok tokens in
    if forallb (Z.eqb q) tokens then
      let '(plo, phi, _) := get (rl_pos R) q ([], [], 0) in combine plo phi
    else
      let wq := get (rl_w R) q empty in
      map (fun pt => nth (Z.to_nat (fst pt)) (get wq (snd pt) []) (I.zero, I.zero)) (indexed tokens).

  (** u·w_hi if u ≥ 0, else u·w_lo: the upper end of u·w for w in [w_lo, w_hi]. *)
  Definition upper_term (u : I.t) (w : I.t * I.t) : I.t := if I.leb I.zero u then I.mul u (snd w) else I.mul u (fst w).
  (** u·w_lo if u ≥ 0, else u·w_hi: the lower end. *)
  Definition lower_term (u : I.t) (w : I.t * I.t) : I.t := if I.leb I.zero u then I.mul u (fst w) else I.mul u (snd w).

  (** The cheaper sufficient test of §8: Σ_p f_p(U[q, m, t_p]) < 0. *)
  Definition filter_ok (R : rule) (tokens : list Z) (m q : Z) (ws : list (I.t * I.t)) : bool :=
    I.ltb (isum (map2 (fun t w => upper_term (U_of R q m t) w) tokens ws)) I.zero.

  (** N_{p,j} for every j (0 at j = m), with token t at position p:
      (EUPU[q, j] − EUPU[q, m]) + (EVOU[t, j] − EVOU[t, m]) + (PVOU[p, j] − PVOU[p, m]). *)
  Definition n_row (R : rule) (q m t p : Z) : list I.t :=
    let a := get (rl_eupu R) q [] in
    let b := get (rl_evou R) t [] in
    let c := get (rl_pvou R) p [] in
    let am := get2 (rl_eupu_t R) q m in
    let bm := get2 (rl_evou_t R) t m in
    let cm := get2 (rl_pvou_t R) p m in
    map2 (fun x yz => I.add (I.sub x am) (I.add (I.sub (fst yz) bm) (I.sub (snd yz) cm))) a (combine b c).

  (** The terms N_{p,j}·(w_hi,p if N_{p,j} ≥ 0 else w_lo,p) for every j. *)
  Definition term_vec (R : rule) (q m t p : Z) (w : I.t * I.t) : list I.t :=
    map (fun x => upper_term x w) (n_row R q m t p).

  (** Entrywise sum of rows of [len] entries. *)
  Definition vec_sum (len : Z) (vs : list (list I.t)) : list I.t :=
    fold_left (map2 I.add) vs (map (fun _ => I.zero) (zseq len)).

  (** up_j < 0 for every j ≠ m, where up_j is the sum of the term vectors' entries j. *)
  Definition ups_negative (R : rule) (m : Z) (vecs : list (list I.t)) : bool :=
    forallb (fun ju => (fst ju =? m) || I.ltb (snd ju) I.zero) (indexed (vec_sum (rl_V R) vecs)).

  (** The input is proven right (docs §8): up_j < 0 for every j ≠ m (the filter first: it implies
      that, and costs n terms instead of n·V). *)
  Definition proven_right (R : rule) (tokens : list Z) : bool :=
    let m := max_tok tokens in
    let q := query_tok tokens in
    let ws := weights_of R tokens in
    if filter_ok R tokens m q ws then true else
    ups_negative R m (map2 (fun pt w => term_vec R q m (snd pt) (fst pt) w) (indexed tokens) ws).

  (** The input is proven wrong with witness j (docs §8): lo_j ≥ 0 ([j] in [0, V), [j ≠ m] checked by
      the caller). *)
  Definition proven_wrong (R : rule) (tokens : list Z) (j : Z) : bool :=
    let m := max_tok tokens in
    let q := query_tok tokens in
    let a := I.sub (get2 (rl_eupu_t R) q j) (get2 (rl_eupu_t R) q m) in
    let terms := map2 (fun pt w =>
        let '(p, t) := pt in
        let x := I.add a (I.add (I.sub (get2 (rl_evou_t R) t j) (get2 (rl_evou_t R) t m))
                               (I.sub (get2 (rl_pvou_t R) p j) (get2 (rl_pvou_t R) p m))) in
        lower_term x w) (indexed tokens) (weights_of R tokens) in
    I.leb I.zero (isum terms).

  (** ** Input indices (docs §8, §9) *)

  Fixpoint decode_from (k : nat) (V x : I.t) : list Z :=
    match k with
    | O => []
    | S k' => let q := I.div x V in I.to_Z (I.sub x (I.mul q V)) :: decode_from k' V q
    end.

  (** Input index x = Σ_p t_p·V^p ↦ (t_0, …, t_{n−1}). *)
  Definition decode (V : Z) (n : nat) (x : I.t) : list Z := decode_from n (I.of_Z V) x.

  Fixpoint indices_from (total prev : I.t) (ds : list Z) : option (list I.t) :=
    match ds with
    | [] => Some []
    | d :: r =>
      let x := I.add prev (I.of_Z d) in
      if (d <? 1) || I.leb total x then None else
      match indices_from total x r with Some xs => Some (x :: xs) | None => None end
    end.

  (** The delta-coded list of §9, checked: x_0 = d_0 ≥ 0, x_i = x_{i−1} + d_i with d_i ≥ 1 (strictly
      increasing), every x_i < total = V^n. [None] if any of that fails. *)
  Definition indices (total : I.t) (ds : list Z) : option (list I.t) :=
    match ds with
    | [] => Some []
    | d :: r =>
      let x := I.of_Z d in
      if (d <? 0) || I.leb total x then None else
      match indices_from total x r with Some xs => Some (x :: xs) | None => None end
    end.

  (** Do the strictly increasing lists [a] and [b] share no entry? *)
  Fixpoint disjoint (a b : list I.t) : bool :=
    match a with
    | [] => true
    | x :: a' =>
      match drop_below I.ltb x b with
      | y :: b' => if I.eqb x y then false else disjoint a' (y :: b')
      | [] => true
      end
    end.

  (** ** The claims [residual] and [wrong] (docs §9) *)

  (** Every residual input is not covered by the cases and proven right: [residual_ok] computes
      [forallb (fun x => negb (covers t) && proven_right R t) xs] (t the tokens of x), sharing the term
      vectors of the full rule between the inputs of one query token, as the Python checker does: a
      vector depends on (m, t, p) and on whether all tokens are equal, and the inputs, listed by
      increasing index, come grouped by their query token (the most significant digit). *)
  Definition memo_key (V n m t p : Z) (equal : bool) : Z := ((m * V + t) * n + p) * 2 + (if equal then 1 else 0).

  (** The term vectors of an input's positions, from [memo] or computed (and added to it). *)
  Definition term_vecs (R : rule) (tokens : list Z) (m q : Z) (ws : list (I.t * I.t)) (memo : table (list I.t))
      : list (list I.t) * table (list I.t) :=
    let equal := forallb (Z.eqb q) tokens in
    fold_right (fun ptw acc =>
      let '((p, t), w) := ptw in
      let k := memo_key (rl_V R) (rl_n R) m t p equal in
      match Table.find (snd acc) k with
      | Some v => (v :: fst acc, snd acc)
      | None => let v := term_vec R q m t p w in (v :: fst acc, set (snd acc) k v)
      end) ([], memo) (combine (indexed tokens) ws).

  (** One residual input: (all so far hold, the query token of the memo, the memo). *)
  Definition residual_step (R : rule) (covers : list Z -> bool) (n : nat)
      (st : bool * Z * table (list I.t)) (x : I.t) : bool * Z * table (list I.t) :=
    let '(ok, memo_q, memo0) := st in
    let t := decode (rl_V R) n x in
    let q := query_tok t in
    let memo := if q =? memo_q then memo0 else empty in
    if covers t then (false, q, memo) else
    let m := max_tok t in
    let ws := weights_of R t in
    if filter_ok R t m q ws then (ok, q, memo) else
    let '(vecs, memo') := term_vecs R t m q ws memo in
    (ok && ups_negative R m vecs, q, memo').

  Definition residual_ok (R : rule) (covers : list Z -> bool) (n : nat) (xs : list I.t) : bool :=
    fst (fst (fold_left (residual_step R covers n) xs (true, -1, empty))).

  (** Every wrong input has a witness j ≠ m in [0, V), is covered neither by the cases nor by the
      residual list, and is proven wrong with its witness. *)
  Definition wrong_ok (R : rule) (covers : list Z -> bool) (n : nat) (right_xs xs : list I.t)
      (witness : list Z) : bool :=
    (lenZ witness =? lenZ xs) && disjoint xs right_xs &&
    forallb (fun xj =>
      let '(x, j) := xj in
      let t := decode (rl_V R) n x in
      if (0 <=? j) && (j <? rl_V R) && negb (j =? max_tok t) && negb (covers t) then proven_wrong R t j else false)
      (combine xs witness).

  (** Both claims (either may be absent); [Some (#residual, #wrong if claimed)] when they hold. *)
  Definition check_input_claims (R : rule) (covers : list Z -> bool) (n : nat) (total : I.t)
      (res : option (list Z)) (wr : option wrong_claim) : option (Z * option Z) :=
    match indices total (match res with Some ds => ds | None => [] end) with
    | None => None
    | Some rx =>
      if residual_ok R covers n rx then
        match wr with
        | None => Some (lenZ rx, None)
        | Some w =>
          match indices total (wr_inputs w) with
          | Some wx => if wrong_ok R covers n rx wx (wr_witness w) then Some (lenZ rx, Some (lenZ wx)) else None
          | None => None
          end
        end
      else None
    end.
End Inputs.
