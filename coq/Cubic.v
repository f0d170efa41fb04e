(** The claims of a cubic certificate (docs/certificate.md §4.1, §4.2, §4.4), version 2 ([cubic-prefix]).

    Mirrors [python/mechproof/tasks/maxk/checker/cubic.py] and [lean/MechProof/Cubic.lean]. Per case (q, m, c ≥ 1)
    and placement, the test is T_max + T_q + max(A_kp·S⁺, A_kn·S⁻) < 0: only the non-max group term
    depends on the token, it is A_k·S (A_k = U[q, m, k]·tok[q, k] at the end its sign selects, S the
    non-max slots' positional mass at that end), and the boundary tokens kp, kn have the largest keys
    (A_k, k) of the token set G. c = 0 cases are single inputs, decided by the input rule (§8). *)
From Coq Require Import ZArith List.
From MechProof Require Import Int Table Arith Exp Model Cert Matrices Inputs.
Import ListNotations.
Local Open Scope Z_scope.
Local Open Scope bool_scope.

(** What the case rule needs of one model and certificate, for random access (over the type [T] of
    mantissas; a dyadic is [T * Z]). *)
Record cases_ctx (T : Type) := {
  cx_rule : rule T;
  (** the exponent [d_e] of U *)
  cx_e : Z;
  (** the verified [exp_eqke] intervals tok[q][t] *)
  cx_tok : table (table ((T * Z) * (T * Z)));
  (** the verified [exp_eqkp] intervals pos[q][p] *)
  cx_pos : table (table ((T * Z) * (T * Z)));
  (** order[q] (docs §2) *)
  cx_order : table (list Z);
  (** the row n−1 of Pascal's triangle: C(n−1, c) for c = 0..n−1 *)
  cx_binom : table T }.
Arguments cx_rule {T}. Arguments cx_e {T}. Arguments cx_tok {T}. Arguments cx_pos {T}.
Arguments cx_order {T}. Arguments cx_binom {T}.

(** The verdict on the cases: the number of inputs they cover, the cases by key, and the keys of §4.4 by
    (q, m) (for [covers]). *)
Record cases_result (T : Type) := { covered : T; case_tab : table case_entry; key_tab : table (table (T * bool)) }.
Arguments covered {T}. Arguments case_tab {T}. Arguments key_tab {T}.

Module Cubic (I : INT).
  Module Export In := Inputs I.

  Definition ctx := cases_ctx I.t.
  Definition ival : Type := dy * dy.

  (** ** §4.1 [inv_sqrt_d_head]: 1/√d ∈ [lo, hi]·2^exp, checked by squaring:
      e ≤ 0, 0 < lo ≤ hi, lo²·d ≤ 2^(−2e) ≤ hi²·d. Returns r = [r_lo, r_hi]. *)
  Definition check_inv_sqrt (c : inv_sqrt_claim) (d : Z) : option ival :=
    let e := is_exp c in
    if (e <=? 0) && (0 <? is_lo c) && (is_lo c <=? is_hi c) then
      let lo := I.of_Z (is_lo c) in
      let hi := I.of_Z (is_hi c) in
      let one := shl I.one (-2 * e) in
      if I.leb (I.mul (I.mul lo lo) (I.of_Z d)) one && I.leb one (I.mul (I.mul hi hi) (I.of_Z d))
      then Some ((lo, e), (hi, e)) else None
    else None.

  (** ** §4.2 [exp_eqke], [exp_eqkp] *)

  (** [lo], [hi] and [exp] are rows × cols arrays. *)
  Definition enclosure_shape (c : exp_claim) (rows cols : Z) : bool :=
    forallb (fun a => (lenZ a =? rows) && all_lengths cols a) [ec_lo c; ec_hi c; ec_exp c].

  (** The claimed intervals [(lo·2^exp, hi·2^exp)], entry by entry. *)
  Definition claimed (c : exp_claim) : list (list ival) :=
    map2 (fun lo_row hie_row =>
            map2 (fun lo he => ((I.of_Z lo, snd he), (I.of_Z (fst he), snd he))) lo_row hie_row)
      (ec_lo c) (map2 (fun h e => combine h e) (ec_hi c) (ec_exp c)).

  (** One entry: 0 ≤ lo, lo ≤ exp_bounds(x_lo).lo and exp_bounds(x_hi).hi ≤ hi, with the checker's own
      enclosure [own] of the entry's exact score (§4.2; [None]: an argument outside the limit). *)
  Definition entry_ok (iv : ival) (own : option ival) : bool :=
    match own with
    | Some (olo, ohi) => dy_nonneg (fst iv) && dy_le (fst iv) olo && dy_le ohi (snd iv)
    | None => false
    end.

  Definition enclosure_ok (c : exp_claim) (own : list (list (option ival))) : bool :=
    forallb (fun rr => forallb (fun eo => entry_ok (fst eo) (snd eo)) (combine (fst rr) (snd rr)))
      (combine (claimed c) own).

  (** ** §4.4 the case rule *)

  Definition tok_of (X : ctx) (q t : Z) : ival := get (get (cx_tok X) q empty) t (dy_zero, dy_zero).
  Definition pos_of (X : ctx) (q p : Z) : ival := get (get (cx_pos X) q empty) p (dy_zero, dy_zero).

  (** U[q, m, t] as a dyadic. *)
  Definition U (X : ctx) (q m t : Z) : dy := (U_of (cx_rule X) q m t, cx_e X).

  (** (A_k, class(k)): A_k = U[q,m,k]·tok_hi[q,k] and class + ([true]) if U[q,m,k] ≥ 0, else
      A_k = U[q,m,k]·tok_lo[q,k] and class − ([false]). *)
  Definition A (X : ctx) (q m k : Z) : dy * bool :=
    let u := U X q m k in
    if dy_nonneg u then (dy_mul u (snd (tok_of X q k)), true) else (dy_mul u (fst (tok_of X q k)), false).

  (** The keys of §4.4 for (q, m), at one exponent: entry k < m is (A_k's mantissa at the smallest
      exponent of A_0, …, A_{m−1}, class(k)). Comparing two of these mantissas compares the A_k. *)
  Definition keys_row (X : ctx) (q m : Z) : list (I.t * bool) :=
    let As := map (A X q m) (zseq m) in
    let e := min_exp (map fst As) in
    map (fun ac : dy * bool => (shl (fst (fst ac)) (snd (fst ac) - e), snd ac)) As.

  (** key(k) ≤ key(l) for key(k) = (A_k, k), compared lexicographically ([a], [b]: the aligned A_k, A_l). *)
  Definition key_le (a : I.t) (k : Z) (b : I.t) (l : Z) : bool := I.ltb a b || (I.eqb a b && (k <=? l)).

  (** Is token t in the token set G of the boundaries kp, kn (−1: that part is empty)? t < m, and of
      class + with key(t) ≤ key(kp), or of class − with key(t) ≤ key(kn). [ks] = [keys_row X q m]. *)
  Definition in_G (ks : table (I.t * bool)) (m kp kn t : Z) : bool :=
    (0 <=? t) && (t <? m) &&
    let '(a, cls) := get ks t (I.zero, true) in
    let b := if cls then kp else kn in
    negb (b =? -1) && key_le a t (fst (get ks b (I.zero, true))) b.

  (** |G| *)
  Definition G_size (ks : table (I.t * bool)) (m kp kn : Z) : Z := countZ (in_G ks m kp kn) (zseq m).

  (** kp (class + : [true]) or kn (class −): −1, or a token < m of that class. *)
  Definition boundary_ok (X : ctx) (q m k : Z) (cls : bool) : bool :=
    (k =? -1) || ((0 <=? k) && (k <? m) && Bool.eqb (snd (A X q m k)) cls).

  (** The two extreme placements of case c for query q: (max slots, non-max slots), low then high. The
      max slots are the first n−1−c entries of order[q] (low) or its last n−1−c (high). *)
  Definition placements (X : ctx) (n q c : Z) : list (list Z * list Z) :=
    let o := get (cx_order X) q [] in
    let nmax := Z.to_nat (n - 1 - c) in
    [(firstn nmax o, skipn nmax o); (skipn (Z.to_nat c) o, firstn (Z.to_nat c) o)].

  (** The group term of §4.3: an upper bound of u·Σ_{p∈S} w_p for the group's token t:
      u·tok_hi[q,t]·Σ pos_hi[q,p] if u ≥ 0, else u·tok_lo[q,t]·Σ pos_lo[q,p]; 0 for no slots. *)
  Definition group_term (X : ctx) (q t : Z) (u : dy) (slots : list Z) : dy :=
    match slots with
    | [] => dy_zero
    | _ =>
      let pick := fun iv : ival => if dy_nonneg u then snd iv else fst iv in
      dy_mul (dy_mul u (pick (tok_of X q t))) (dy_sum (map (fun p => pick (pos_of X q p)) slots))
    end.

  (** For each placement: (T_max + T_q, S⁺, S⁻), where T_max is the max group's term (its slots, and
      position n−1 when q = m), T_q the query group's (q, {n−1}) when q ≠ m, and S± = Σ_{non-max slots}
      pos_hi / pos_lo. *)
  Definition fixed (X : ctx) (n q m c : Z) : list (dy * dy * dy) :=
    map (fun pl : list Z * list Z =>
      let '(maxs, others) := pl in
      let tmax := group_term X q m (U X q m m) (if q =? m then maxs ++ [n - 1] else maxs) in
      let base := if q =? m then tmax else dy_add tmax (group_term X q q (U X q m q) [n - 1]) in
      (base, dy_sum (map (fun p => snd (pos_of X q p)) others), dy_sum (map (fun p => fst (pos_of X q p)) others)))
      (placements X n q c).

  (** The largest of a non-empty list of dyadics. *)
  Definition dy_list_max (xs : list dy) : dy := match xs with [] => dy_zero | x :: r => fold_left dy_max r x end.

  (** T_max + T_q + max over the parts (A, class) of A·S_class < 0 at both placements. *)
  Definition worst_ok (fx : list (dy * dy * dy)) (parts : list (dy * bool)) : bool :=
    forallb (fun f : dy * dy * dy =>
      let '(base, sp, sm) := f in
      let total := match parts with
                   | [] => base
                   | _ => dy_add base (dy_list_max (map (fun ac : dy * bool => dy_mul (fst ac) (if snd ac then sp else sm)) parts))
                   end in
      dy_neg total) fx.

  (** The input of a c = 0 case: every non-query position holds m, the query is q. *)
  Definition single_input (n q m : Z) : list Z := repeat m (Z.to_nat (n - 1)) ++ [q].

  (** Well-formedness of the case numbers: 0 ≤ q ≤ m < V and 0 ≤ c ≤ n−1 (n−2 when q < m). *)
  Definition case_wf (V n : Z) (e : case_entry) : bool :=
    (0 <=? ce_q e) && (ce_q e <=? ce_m e) && (ce_m e <? V) && (0 <=? ce_c e) &&
    (ce_c e <=? (if ce_q e =? ce_m e then n - 1 else n - 2)).

  (** One case (well-formed): c = 0 takes no boundary tokens and its single input is proven right; for
      c ≥ 1 the boundaries are not both −1, each is −1 or a token < m of its class, and the test of the
      worst token holds at both placements. *)
  Definition case_ok (X : ctx) (n : Z) (e : case_entry) : bool :=
    let '(mk_case q m c kp kn) := e in
    if c =? 0 then (kp =? -1) && (kn =? -1) && proven_right (cx_rule X) (single_input n q m)
    else
      negb ((kp =? -1) && (kn =? -1)) && boundary_ok X q m kp true && boundary_ok X q m kn false &&
      worst_ok (fixed X n q m c)
        ((if kp =? -1 then [] else [A X q m kp]) ++ (if kn =? -1 then [] else [A X q m kn])).

  (** The key of a case, (q·V + m)·n + c: one per well-formed (q, m, c). *)
  Definition case_key (V n q m c : Z) : Z := (q * V + m) * n + c.

  (** [keys_row X q m] for every (q, m) of the cases, under the key q·V + m. *)
  Definition keys_table (X : ctx) (V : Z) (es : list case_entry) : table (table (I.t * bool)) :=
    fold_left (fun t e =>
      let k := ce_q e * V + ce_m e in
      match Table.find t k with
      | Some _ => t
      | None => set t k (of_list (keys_row X (ce_q e) (ce_m e)))
      end) es empty.

  (** The inputs a case covers: C(n−1, c)·|G|^c (1 when c = 0). *)
  Definition case_count (X : ctx) (V : Z) (kt : table (table (I.t * bool))) (e : case_entry) : I.t :=
    let '(mk_case q m c kp kn) := e in
    if c =? 0 then I.one
    else I.mul (get (cx_binom X) c I.zero)
                (ipow (I.of_Z (G_size (get kt (q * V + m) empty) m kp kn)) (Z.to_nat c)).

  (** The cases by key; [None] if a key is listed twice. *)
  Fixpoint case_table (V n : Z) (es : list case_entry) (t : table case_entry) : option (table case_entry) :=
    match es with
    | [] => Some t
    | e :: r =>
      let k := case_key V n (ce_q e) (ce_m e) (ce_c e) in
      match Table.find t k with Some _ => None | None => case_table V n r (set t k e) end
    end.

  (** Do the cases cover the input (docs §9)? The case (q, m, c), with c the number of non-query
      positions holding a token < m, is listed, and each such token is in its G (c = 0: it is listed). *)
  Definition covers (V n : Z) (tab : table case_entry) (kt : table (table (I.t * bool))) (tokens : list Z) : bool :=
    let m := max_tok tokens in
    let q := query_tok tokens in
    let low := filter (fun t => t <? m) (non_query tokens) in
    match Table.find tab (case_key V n q m (lenZ low)) with
    | None => false
    | Some e => forallb (in_G (get kt (q * V + m) empty) m (ce_kp e) (ce_kn e)) low
    end.

  (** Row [k] of Pascal's triangle. *)
  Definition pascal (k : nat) : list I.t :=
    Nat.iter k (fun row => map2 I.add (I.zero :: row) (row ++ [I.zero])) [I.one].

  (** The context of the case rule, from the verified claims. *)
  Definition mk_ctx (R : rule) (D : derived) (n : Z) (tok pos : list (list ival)) : ctx :=
    {| cx_rule := R; cx_e := d_e D;
       cx_tok := of_list (map of_list tok); cx_pos := of_list (map of_list pos);
       cx_order := of_list (order D);
       cx_binom := of_list (pascal (Z.to_nat (n - 1))) |}.


  (** All cases: each well-formed, no (q, m, c) twice, each holds. *)
  Definition check_cases (X : ctx) (V n : Z) (es : list case_entry) : option (cases_result I.t) :=
    if forallb (case_wf V n) es then
      match case_table V n es empty with
      | Some tab =>
        if forallb (case_ok X n) es then
          let kt := keys_table X V es in
          Some {| covered := isum (map (case_count X V kt) es); case_tab := tab; key_tab := kt |}
        else None
      | None => None
      end
    else None.
End Cubic.
