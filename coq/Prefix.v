(** The token sets of the [cubic-prefix] cases (docs/certificate.md §4.4; coq-plan lemma 7).

    For a case (q, m, c ≥ 1) with boundary tokens kp (class +, or −1) and kn (class −, or −1), every token
    t of G has A_t ≤ A*, where A* = A_kp, or A_kn when kp = −1 ([A_le_worst]):
    - [in_G_spec]: the keys compared by [in_G] are the A_k at one common exponent, so key(t) ≤ key(b)
      gives A_t ≤ A_b, within t's class (b = kp for class +, kn for class −);
    - a class-+ boundary dominates every class-− token: A_kp = u·tok_hi ≥ 0 ≥ u'·tok_lo = A_t. Both
      inequalities may be equalities (u = 0, or tok_lo = 0), so the argument uses ≤ throughout; the
      written argument's "A ≥ 0 > A′" is too strong: A′ = 0 when tok_lo[q, t] = 0 — harmless, since only
      A′ ≤ A is used.
    Then [worst_part_le]: for the true non-max mass y with S⁻ ≤ y ≤ S⁺, A*·y is at most the checker's
    max(A_kp·S⁺, A_kn·S⁻) over the parts present.

    The claimed token intervals are assumed to satisfy 0 ≤ tok_lo ≤ tok_hi ([tok_ok]); the checker's
    [entry_ok] gives 0 ≤ lo, and lo ≤ true value ≤ hi gives the rest. *)
From Coq Require Import ZArith Reals Lra Lia List.
From MechProof Require Import Int Dval Table Arith Matrices Inputs Cubic Statement DyadicSound UBound.
Import ListNotations.
Local Open Scope R_scope.

Module Prefix (I : INT) (Import K : CHECK I).
  Module Import DS := DyadicSound I K.
  Module UB := UBound I K.

  Definition Aval (X : ctx) (q m k : Z) : R := val (fst (A X q m k)).
  Definition cls (X : ctx) (q m k : Z) : bool := snd (A X q m k).

  (** The claimed interval of tok[q, k] has 0 ≤ lo ≤ hi. *)
  Definition tok_ok (X : ctx) (q k : Z) : Prop :=
    0 <= val (fst (tok_of X q k)) /\ val (fst (tok_of X q k)) <= val (snd (tok_of X q k)).

  (** Class + gives A ≥ 0, class − gives A ≤ 0. *)
  Lemma A_sign (X : ctx) (q m k : Z) :
    tok_ok X q k -> if cls X q m k then 0 <= Aval X q m k else Aval X q m k <= 0.
  Proof.
    intros [Hlo Hle]. unfold cls, Aval, A.
    destruct (dy_nonneg (U X q m k)) eqn:E; simpl; rewrite val_mul.
    - apply dy_nonneg_iff in E. apply Rmult_le_pos; lra.
    - apply dy_nonneg_false in E. assert (0 <= - val (U X q m k) * val (fst (tok_of X q k)))
        by (apply Rmult_le_pos; lra). lra.
  Qed.

  (** ** The keys *)

  Definition key_exp (X : ctx) (q m : Z) : Z := min_exp (map fst (map (A X q m) (zseq m))).

  Lemma keys_row_nth (X : ctx) (q m k : Z) (d : I.t * bool) :
    (0 <= k < m)%Z ->
    nth (Z.to_nat k) (keys_row X q m) d =
      (shl (fst (fst (A X q m k))) (snd (fst (A X q m k)) - key_exp X q m), cls X q m k) /\
    (key_exp X q m <= snd (fst (A X q m k)))%Z.
  Proof.
    intros Hk. unfold keys_row, key_exp. set (As := map (A X q m) (zseq m)).
    assert (HAs : nth (Z.to_nat k) As (dy_zero, true) = A X q m k) by (apply UB.nth_map_zseq; lia).
    assert (Hlen : length As = Z.to_nat m) by (unfold As, zseq; now rewrite map_length, UB.length_zseq_from).
    split.
    - set (e := min_exp (map fst As)).
      set (f := fun ac : dy * bool => (shl (fst (fst ac)) (snd (fst ac) - e), snd ac)).
      rewrite (nth_indep _ d (f (dy_zero, true))) by (rewrite map_length; lia).
      rewrite (map_nth f As (dy_zero, true) (Z.to_nat k)), HAs. reflexivity.
    - apply min_exp_le, in_map. rewrite <- HAs. apply nth_In. lia.
  Qed.

  (** The aligned key of token k < m has the value A_k. *)
  Lemma key_val (X : ctx) (q m k : Z) :
    (0 <= k < m)%Z ->
    dval (I.to_Z (fst (get (of_list (keys_row X q m)) k (I.zero, true)))) (key_exp X q m) = Aval X q m k /\
    snd (get (of_list (keys_row X q m)) k (I.zero, true)) = cls X q m k.
  Proof.
    intros Hk. rewrite get_of_list by lia. destruct (keys_row_nth X q m k (I.zero, true) Hk) as [E He].
    rewrite E. simpl. split; [|reflexivity]. unfold Aval. now apply val_aligned.
  Qed.

  (** [key_le] on aligned keys implies the order of the values. *)
  Lemma key_le_val (a b : I.t) (k l e : Z) : key_le a k b l = true -> dval (I.to_Z a) e <= dval (I.to_Z b) e.
  Proof.
    unfold key_le. intros H. assert (Hz : (I.to_Z a <= I.to_Z b)%Z).
    { apply Bool.orb_true_iff in H as [H|H].
      - rewrite I.spec_ltb in H. apply Z.ltb_lt in H. lia.
      - apply Bool.andb_true_iff in H as [H _]. rewrite I.spec_eqb in H. apply Z.eqb_eq in H. lia. }
    unfold dval. apply Rmult_le_compat_r; [left; apply powerRZ_2_pos | now apply IZR_le].
  Qed.

  (** ** Membership in G *)

  Lemma boundary_ok_spec (X : ctx) (q m k : Z) (c : bool) :
    boundary_ok X q m k c = true -> k = (-1)%Z \/ ((0 <= k < m)%Z /\ cls X q m k = c).
  Proof.
    unfold boundary_ok, cls. intros H. apply Bool.orb_true_iff in H as [H|H]; [left; now apply Z.eqb_eq|].
    right. rewrite !Bool.andb_true_iff, Z.leb_le, Z.ltb_lt in H. destruct H as [[H1 H2] H3].
    split; [lia | now apply Bool.eqb_prop].
  Qed.

  (** A token of G lies below m, its class's boundary is present, and its A is at most the boundary's. *)
  Lemma in_G_spec (X : ctx) (q m kp kn t : Z) :
    boundary_ok X q m kp true = true -> boundary_ok X q m kn false = true ->
    in_G (of_list (keys_row X q m)) m kp kn t = true ->
    (0 <= t < m)%Z /\
    (if cls X q m t then kp <> (-1)%Z /\ Aval X q m t <= Aval X q m kp
     else kn <> (-1)%Z /\ Aval X q m t <= Aval X q m kn).
  Proof.
    intros Hkp Hkn H. unfold in_G in H.
    apply Bool.andb_true_iff in H as [H0 H]. rewrite Bool.andb_true_iff, Z.leb_le, Z.ltb_lt in H0.
    split; [lia|].
    destruct (key_val X q m t H0) as [Vt Ct].
    destruct (get (of_list (keys_row X q m)) t (I.zero, true)) as [a c] eqn:Et. simpl in Vt, Ct. subst c.
    apply Bool.andb_true_iff in H as [Hb Hle]. apply Bool.negb_true_iff, Z.eqb_neq in Hb.
    destruct (cls X q m t).
    - split; [exact Hb|]. destruct (boundary_ok_spec X q m kp true Hkp) as [|[Hkr _]]; [contradiction|].
      destruct (key_val X q m kp Hkr) as [Vb _]. rewrite <- Vt, <- Vb. eapply key_le_val, Hle.
    - split; [exact Hb|]. destruct (boundary_ok_spec X q m kn false Hkn) as [|[Hkr _]]; [contradiction|].
      destruct (key_val X q m kn Hkr) as [Vb _]. rewrite <- Vt, <- Vb. eapply key_le_val, Hle.
  Qed.

  (** The worst boundary: kp if present, else kn. *)
  Definition worst (kp kn : Z) : Z := if (kp =? -1)%Z then kn else kp.

  (** Coq-plan lemma 7: every token of G has A at most A* = A_worst. *)
  Theorem A_le_worst (X : ctx) (q m kp kn t : Z) :
    (forall k, (0 <= k < m)%Z -> tok_ok X q k) ->
    boundary_ok X q m kp true = true -> boundary_ok X q m kn false = true ->
    in_G (of_list (keys_row X q m)) m kp kn t = true ->
    Aval X q m t <= Aval X q m (worst kp kn).
  Proof.
    intros Htok Hkp Hkn H. destruct (in_G_spec X q m kp kn t Hkp Hkn H) as [Ht Hc]. unfold worst.
    destruct (cls X q m t) eqn:Ct; destruct Hc as [Hb Hle].
    - now rewrite (proj2 (Z.eqb_neq kp (-1)) Hb).
    - destruct (Z.eqb_spec kp (-1)) as [|Hkp1]; [exact Hle|].
      destruct (boundary_ok_spec X q m kp true Hkp) as [|[Hkr Ck]]; [contradiction|].
      pose proof (A_sign X q m t (Htok t Ht)) as St. rewrite Ct in St.
      pose proof (A_sign X q m kp (Htok kp Hkr)) as Sk. rewrite Ck in Sk. lra.
  Qed.

  (** ** The worst non-max term against the checker's max over the parts *)

  Definition parts (X : ctx) (q m kp kn : Z) : list (dy * bool) :=
    (if (kp =? -1)%Z then [] else [A X q m kp]) ++ (if (kn =? -1)%Z then [] else [A X q m kn]).

  Definition part_max (ps : list (dy * bool)) (sp sm : dy) : dy :=
    dy_list_max (map (fun ac : dy * bool => dy_mul (fst ac) (if snd ac then sp else sm)) ps).

  Lemma dy_list_max_ge (l : list dy) (y : dy) : In y l -> val y <= val (dy_list_max l).
  Proof.
    destruct l as [|x l]; [intros []|]. simpl. destruct (fold_max_ge l x) as [H1 H2].
    intros [<-|Hy]; [exact H1 | now apply H2].
  Qed.

  (** For S⁻ ≤ y ≤ S⁺: A*·y ≤ max(A_kp·S⁺, A_kn·S⁻) over the parts present (not both absent). *)
  Theorem worst_part_le (X : ctx) (q m kp kn : Z) (sp sm : dy) (y : R) :
    (forall k, (0 <= k < m)%Z -> tok_ok X q k) ->
    boundary_ok X q m kp true = true -> boundary_ok X q m kn false = true ->
    negb ((kp =? -1)%Z && (kn =? -1)%Z) = true ->
    val sm <= y <= val sp ->
    Aval X q m (worst kp kn) * y <= val (part_max (parts X q m kp kn) sp sm).
  Proof.
    intros Htok Hkp Hkn Hboth Hy. unfold worst, parts, part_max.
    destruct (Z.eqb_spec kp (-1)) as [Hkp1|Hkp1].
    - destruct (Z.eqb_spec kn (-1)) as [Hkn1|Hkn1]; [discriminate|].
      destruct (boundary_ok_spec X q m kn false Hkn) as [|[Hkr Ck]]; [contradiction|].
      pose proof (A_sign X q m kn (Htok kn Hkr)) as Sk. rewrite Ck in Sk.
      simpl. unfold cls in Ck. rewrite Ck, val_mul. unfold Aval in *.
      apply Rmult_le_compat_neg_l; lra.
    - destruct (boundary_ok_spec X q m kp true Hkp) as [|[Hkr Ck]]; [contradiction|].
      pose proof (A_sign X q m kp (Htok kp Hkr)) as Sk. rewrite Ck in Sk.
      eapply Rle_trans; [|apply dy_list_max_ge; simpl; left; reflexivity].
      unfold cls in Ck. rewrite Ck, val_mul. unfold Aval in *. apply Rmult_le_compat_l; lra.
  Qed.

End Prefix.
