(** The checker's own exact matrices (docs/certificate.md §2), from the weights' mantissas.

    Mirrors [python/mechproof/checker/matrices.py] and [CubicDerived] of [tasks/maxk/checker/cubic.py]. A matrix
    is a list of rows of integers with one power-of-two exponent: entry (i, j) is [rows[i][j]·2^mexp].
    Products of mantissas are exact, so nothing here is rounded. *)
From Coq Require Import ZArith List Orders Mergesort.
From MechProof Require Import Int Table Arith Model.
Import ListNotations.
Local Open Scope Z_scope.

(** The records are defined outside the functor, over the type [T] of mantissas, so that every
    instance of the checker over one [INT] shares them. *)
Record mat (T : Type) := { rows : list (list T); mexp : Z }.
Arguments rows {T}. Arguments mexp {T}.

Record exact (T : Type) := { eupu : mat T; evou : mat T; pvou : mat T; eqke : mat T; eqkp : mat T }.
Arguments eupu {T}. Arguments evou {T}. Arguments pvou {T}. Arguments eqke {T}. Arguments eqkp {T}.

Record derived (T : Type) := {
  (** the common exponent of everything below *)
  d_e : Z;
  (** EUPU, EVOU, PVOU at exponent [d_e] *)
  eupu_rows : list (list T); evou_rows : list (list T); pvou_rows : list (list T);
  (** [pstar[m][j]] = P*[m, j] *)
  pstar : list (list T);
  (** [estar[q][m]] = E*[q, m] *)
  estar : list (list T);
  (** [vstar[m][t]] = V*[m, t] *)
  vstar : list (list T);
  (** [order[q]] = the non-query positions 0..n−2 sorted ascending by (EQKP[q, p], p) *)
  order : list (list Z) }.
Arguments d_e {T}. Arguments eupu_rows {T}. Arguments evou_rows {T}. Arguments pvou_rows {T}.
Arguments pstar {T}. Arguments estar {T}. Arguments vstar {T}. Arguments order {T}.

Module Matrices (I : INT).
  Module Export Ar := Arith I.

  Definition mat := mat I.t.

  (** Entry (i, j) as a dyadic (0 outside the matrix). *)
  Definition mat_get (a : mat) (i j : Z) : dy :=
    (nth (Z.to_nat j) (nth (Z.to_nat i) (rows a) []) I.zero, mexp a).

  (** A weight tensor as a [r × c] matrix (its mantissas cut into rows; the shapes are checked by
      [Check.shapes_ok]). *)
  Definition tensor_mat (t : tensor) (r c : nat) : mat :=
    {| rows := chunks r c (map I.of_Z (mantissas t)); mexp := exponent t |}.

  Fixpoint dot_from (acc : I.t) (a b : list I.t) : I.t :=
    match a, b with x :: a', y :: b' => dot_from (I.add acc (I.mul x y)) a' b' | _, _ => acc end.
  (** Σ_k a[k]·b[k] *)
  Definition dot (a b : list I.t) : I.t := dot_from I.zero a b.

  (** The columns of a list of rows (as many as the first row has entries). *)
  Definition transpose (m : list (list I.t)) : list (list I.t) :=
    match m with [] => [] | r :: _ => fold_right (map2 cons) (map (fun _ => []) r) m end.

  (** a·bᵀ: entry (i, j) is the dot product of row i of a and row j of b. *)
  Definition mul_nt (a b : mat) : mat :=
    {| rows := map (fun r => map (dot r) (rows b)) (rows a); mexp := mexp a + mexp b |}.

  (** a·b *)
  Definition matmul (a b : mat) : mat := mul_nt a {| rows := transpose (rows b); mexp := mexp b |}.

  (** The entries of [a] at exponent [e ≤ mexp a]. *)
  Definition scale (a : mat) (e : Z) : list (list I.t) := map (map (fun x => shl x (mexp a - e))) (rows a).

  (** a + row (added to every row of a), at the smaller exponent. *)
  Definition add_row (a : mat) (row : list I.t) (row_exp : Z) : mat :=
    let e := Z.min (mexp a) row_exp in
    {| rows := map (fun r => map2 (fun x y => I.add (shl x (mexp a - e)) (shl y (row_exp - e))) r row) (rows a);
       mexp := e |}.

  (** ** docs §2: EUPU, EVOU, PVOU, EQKE, EQKP *)
  Definition exact := exact I.t.

  Definition exact_matrices (W : weights) : exact :=
    let c := cfg W in
    let V := d_vocab c in let n := n_ctx c in let dm := d_model c in let dh := d_head c in
    let E := tensor_mat (W_E W) V dm in
    let P := tensor_mat (W_pos W) n dm in
    let Q := tensor_mat (W_Q W) dm dh in
    let K := tensor_mat (W_K W) dm dh in
    let Vw := tensor_mat (W_V W) dm dh in
    let O := tensor_mat (W_O W) dh dm in
    let U := tensor_mat (W_U W) dm V in
    (* Ẽ = W_E + W_pos[n−1] *)
    let Et := add_row E (nth (n - 1) (rows P) []) (mexp P) in
    (* Ẽ·W_Q·W_Kᵀ *)
    let EtQK := mul_nt (matmul Et Q) K in
    (* W_V·W_O·W_U *)
    let OVU := matmul (matmul Vw O) U in
    {| eupu := matmul Et U; evou := matmul E OVU; pvou := matmul P OVU;
       eqke := mul_nt EtQK E; eqkp := mul_nt EtQK P |}.

  (** ** docs §2: P*, E*, V*, U and order[q] *)

  (** Positions ordered by (score, position), for [order]. *)
  Module PosKey <: Orders.TotalLeBool'.
    Definition t : Type := I.t * Z.
    Definition leb (x y : t) : bool :=
      match I.compare (fst x) (fst y) with Lt => true | Eq => snd x <=? snd y | Gt => false end.
    Lemma leb_total : forall x y, leb x y = true \/ leb y x = true.
    Proof.
      intros [a p] [b r]. unfold leb; simpl. rewrite !I.spec_compare.
      destruct (Z.compare_spec (I.to_Z a) (I.to_Z b)) as [E|E|E].
      - rewrite E, Z.compare_refl. destruct (Z.leb_spec p r); [left|right]; auto.
        apply Z.leb_le. auto with zarith.
      - left. reflexivity.
      - right. rewrite (proj2 (Z.compare_lt_iff _ _) E). reflexivity.
    Qed.
  End PosKey.
  Module PosSort := Sort PosKey.

  Definition derived := derived I.t.

  (** max_{j ≠ m} row[j] (V ≥ 2). *)
  Definition max_others (row : list I.t) (m : Z) : I.t := list_max (drop_at m row).

  (** Entry [j] of a row (0 outside it). *)
  Definition at_ (row : list I.t) (j : Z) : I.t := nth (Z.to_nat j) row I.zero.

  (** P*[m] = the entrywise max over p of (PVOU[p, j] − PVOU[p, m])_j. *)
  Definition pstar_row (P : list (list I.t)) (m : Z) : list I.t :=
    match map (fun row => map (fun x => I.sub x (at_ row m)) row) P with
    | [] => []
    | d :: ds => fold_left (map2 imax) ds d
    end.

  (** order[q] from row q of EQKP (n−1 non-query positions). *)
  Definition order_row (n : Z) (eqkp_row : list I.t) : list Z :=
    map snd (PosSort.sort (map (fun p => (at_ eqkp_row p, p)) (zseq (n - 1)))).

  Definition derive (M : exact) (V n : Z) : derived :=
    let e := Z.min (mexp (eupu M)) (Z.min (mexp (evou M)) (mexp (pvou M))) in
    let A := scale (eupu M) e in
    let B := scale (evou M) e in
    let P := scale (pvou M) e in
    let ps := map (pstar_row P) (zseq V) in
    {| d_e := e; eupu_rows := A; evou_rows := B; pvou_rows := P;
       pstar := ps;
       estar := map (fun row => map (fun m => I.sub (max_others row m) (at_ row m)) (zseq V)) A;
       vstar := map2 (fun m psm => map (fun row => I.sub (max_others (map2 I.add row psm) m) (at_ row m)) B)
                  (zseq V) ps;
       order := map (order_row n) (rows (eqkp M)) |}.
End Matrices.
