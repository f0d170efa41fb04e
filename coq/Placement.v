(** The sorted-placement lemma (docs §4.3, §4.4; coq-plan lemma 6 (ii)).

    An input of the cubic case (q, m, c) puts the max token m on a set S of n_max = n − 1 − c of the
    n − 1 non-query positions. Its positional weights v_p = exp(EQKP[q, p]·r) (r = 1/√d > 0, the true
    values) enter the bound only through Y(S) = Σ_{p ∈ S} v_p, affinely. So it suffices to check the two
    extreme placements: listing the positions in an order [ord] along which v does not decrease (the
    checker's order[q]: sorted by (EQKP[q, p], p)),

      Σ_{first n_max of ord} v ≤ Σ_{S} v ≤ Σ_{last n_max of ord} v            ([placement_bounds])

    for every duplicate-free S ⊆ ord with |S| = n_max, and an affine function of Y(S) — with the
    complement's mass P − Y(S) allowed in it — is at most the larger of its values at the two ends
    ([placement_affine], in the checker's form: the low placement (firstn n_max ord, skipn n_max ord)
    and the high placement (skipn c ord, firstn c ord)).

    The order: [order_by_key] shows that a permutation of [(key p, p) | p ∈ ps] sorted by a boolean order
    [leb] on the pairs gives, read back by [snd], a permutation of [ps] along which v does not decrease,
    provided [leb] of two keyed pairs implies the order of the values. Matrices.v's [order_row] is
    exactly such a list ([PosSort.sort], Coq's merge sort, with [Permuted_sort] and [Sorted_sort]);
    [exp_dval_mono] gives the value order from the mantissa order. Ties of the key may be broken in
    any way: equal keys give equal values. *)
From Coq Require Import ZArith Reals Lra Lia List Permutation Sorted.
From MechProof Require Import RealSums BoxBound Dval.
Import ListNotations.
Local Open Scope R_scope.

Section Placement.
Context {A : Type} (eq_dec : forall x y : A, {x = y} + {x <> y}) (v : A -> R).

Let vle (p r : A) : Prop := v p <= v r.

Lemma vle_trans : forall x y z, vle x y -> vle y z -> vle x z.
Proof. unfold vle. intros. lra. Qed.

(** ** The n_max smallest values are at the front of a non-decreasing order *)

Lemma placement_lower_strong (ord : list A) :
  StronglySorted vle ord -> NoDup ord ->
  forall S, NoDup S -> incl S ord -> rsum v (firstn (length S) ord) <= rsum v S.
Proof.
  induction ord as [|a rest IH]; intros Hsort Hnd S HS Hincl.
  - destruct S as [|x S]; [simpl; lra|]. destruct (Hincl x (or_introl eq_refl)).
  - apply StronglySorted_inv in Hsort as [Hsort Ha].
    apply NoDup_cons_iff in Hnd as [Hna Hnd].
    destruct S as [|x S0]; [simpl; lra|].
    simpl length. simpl firstn. rewrite rsum_cons.
    destruct (in_dec eq_dec a (x :: S0)) as [Hin|Hout].
    + (* a is in S: take it out of S, the rest of S lies in [rest] *)
      apply in_split in Hin as (l1 & l2 & E).
      assert (Hperm : Permutation (x :: S0) (a :: l1 ++ l2))
        by (rewrite E; apply Permutation_sym, Permutation_middle).
      assert (Hnd' : NoDup (a :: l1 ++ l2)) by exact (Permutation_NoDup Hperm HS).
      apply NoDup_cons_iff in Hnd' as [Hna' Hnd'].
      assert (Hlen : length S0 = length (l1 ++ l2))
        by (apply Permutation_length in Hperm; simpl in Hperm; lia).
      rewrite (rsum_perm v _ _ Hperm), rsum_cons, Hlen.
      apply Rplus_le_compat_l. apply IH; [exact Hsort | exact Hnd | exact Hnd' |].
      intros y Hy. assert (Hy' : In y (x :: S0)) by (apply (Permutation_in _ (Permutation_sym Hperm)); now right).
      destruct (Hincl y Hy') as [<-|Hr]; [contradiction | exact Hr].
    + (* a is not in S: S lies in [rest], and v a is at most the value of S's first element *)
      assert (Hr : incl (x :: S0) rest).
      { intros y Hy. destruct (Hincl y Hy) as [<-|Hr]; [contradiction | exact Hr]. }
      assert (Hax : v a <= v x) by (rewrite Forall_forall in Ha; apply Ha, Hr; now left).
      apply NoDup_cons_iff in HS as [_ HS0].
      assert (rsum v (firstn (length S0) rest) <= rsum v S0).
      { apply IH; [exact Hsort | exact Hnd | exact HS0 |]. intros y Hy. apply Hr. now right. }
      rewrite (rsum_cons v x S0). lra.
Qed.

Lemma placement_lower (ord : list A) :
  Sorted vle ord -> NoDup ord ->
  forall S, NoDup S -> incl S ord -> rsum v (firstn (length S) ord) <= rsum v S.
Proof.
  intros Hs. apply placement_lower_strong. apply Sorted_StronglySorted; [exact vle_trans | exact Hs].
Qed.

(** ** The n_max largest values are at the back *)

Lemma placement_upper (ord : list A) :
  Sorted vle ord -> NoDup ord ->
  forall S, NoDup S -> incl S ord -> rsum v S <= rsum v (skipn (length ord - length S) ord).
Proof.
  intros Hs Hnd S HS Hincl.
  pose proof (sub_complement_perm eq_dec ord S Hnd HS Hincl) as Hperm.
  set (C := complement eq_dec S ord) in *.
  assert (HC : NoDup C) by apply NoDup_filter, Hnd.
  assert (HCi : incl C ord) by (intros y Hy; now apply filter_In in Hy as [Hy _]).
  assert (Hlen : length C = (length ord - length S)%nat)
    by (apply Permutation_length in Hperm; rewrite app_length in Hperm; lia).
  pose proof (placement_lower ord Hs Hnd C HC HCi) as Hlow. rewrite Hlen in Hlow.
  pose proof (rsum_partition v _ _ _ Hperm) as Htot.
  rewrite <- (firstn_skipn (length ord - length S) ord), rsum_app in Htot.
  lra.
Qed.

(** Both ends, for a placement of [nmax] slots among [ord] = [nmax + c] positions. *)
Lemma placement_bounds (ord : list A) (nmax c : nat) :
  Sorted vle ord -> NoDup ord -> length ord = (nmax + c)%nat ->
  forall S, NoDup S -> incl S ord -> length S = nmax ->
  rsum v (firstn nmax ord) <= rsum v S <= rsum v (skipn c ord).
Proof.
  intros Hs Hnd Hord S HS Hincl HSn. split.
  - rewrite <- HSn. now apply placement_lower.
  - replace c with (length ord - length S)%nat by lia. now apply placement_upper.
Qed.

(** ** An affine function of the placed mass is bounded by its values at the two placements *)

Lemma affine_between (a b y y_lo y_hi : R) :
  y_lo <= y <= y_hi -> a * y + b <= Rmax (a * y_lo + b) (a * y_hi + b).
Proof.
  intros Hy. destruct (Rle_dec 0 a) as [Ha|Ha].
  - eapply Rle_trans; [|apply Rmax_r]. apply Rplus_le_compat_r, Rmult_le_compat_l; lra.
  - eapply Rle_trans; [|apply Rmax_l]. apply Rplus_le_compat_r, Rmult_le_compat_neg_l; lra.
Qed.

(** α·Y(S) + β·(P − Y(S)) + γ, with P the mass of all of [ord], is at most its larger value at the
    low placement (max slots [firstn nmax ord], the others [skipn nmax ord]) and the high placement
    (max slots [skipn c ord], the others [firstn c ord]) — the two placements of Cubic.v. *)
Lemma placement_affine (ord : list A) (nmax c : nat) (alpha beta gamma : R) :
  Sorted vle ord -> NoDup ord -> length ord = (nmax + c)%nat ->
  forall S, NoDup S -> incl S ord -> length S = nmax ->
  alpha * rsum v S + beta * (rsum v ord - rsum v S) + gamma
  <= Rmax (alpha * rsum v (firstn nmax ord) + beta * rsum v (skipn nmax ord) + gamma)
          (alpha * rsum v (skipn c ord) + beta * rsum v (firstn c ord) + gamma).
Proof.
  intros Hs Hnd Hord S HS Hincl HSn.
  pose proof (placement_bounds ord nmax c Hs Hnd Hord S HS Hincl HSn) as Hb.
  pose proof (affine_between (alpha - beta) (beta * rsum v ord + gamma) (rsum v S) _ _ Hb) as H.
  assert (E1 : rsum v ord = rsum v (firstn nmax ord) + rsum v (skipn nmax ord))
    by (rewrite <- rsum_app, firstn_skipn; reflexivity).
  assert (E2 : rsum v ord = rsum v (firstn c ord) + rsum v (skipn c ord))
    by (rewrite <- rsum_app, firstn_skipn; reflexivity).
  replace (alpha * rsum v (firstn nmax ord) + beta * rsum v (skipn nmax ord) + gamma)
    with ((alpha - beta) * rsum v (firstn nmax ord) + (beta * rsum v ord + gamma)) by (rewrite E1; ring).
  replace (alpha * rsum v (skipn c ord) + beta * rsum v (firstn c ord) + gamma)
    with ((alpha - beta) * rsum v (skipn c ord) + (beta * rsum v ord + gamma)) by (rewrite E2; ring).
  replace (alpha * rsum v S + beta * (rsum v ord - rsum v S) + gamma)
    with ((alpha - beta) * rsum v S + (beta * rsum v ord + gamma)) by ring.
  exact H.
Qed.

(** The max slots of an input are those passing a test ([token x p =? m]) among positions [ps] that
    [ord] lists in another order: the same bounds hold for them. *)
Lemma placement_affine_filter (ps ord : list A) (b : A -> bool) (nmax c : nat) (alpha beta gamma : R) :
  Sorted vle ord -> NoDup ps -> Permutation ps ord -> length ord = (nmax + c)%nat ->
  length (filter b ps) = nmax ->
  alpha * rsum v (filter b ps) + beta * rsum v (filter (fun p => negb (b p)) ps) + gamma
  <= Rmax (alpha * rsum v (firstn nmax ord) + beta * rsum v (skipn nmax ord) + gamma)
          (alpha * rsum v (skipn c ord) + beta * rsum v (firstn c ord) + gamma).
Proof.
  intros Hs Hps Hperm Hord Hlen.
  assert (Hnd : NoDup ord) by exact (Permutation_NoDup Hperm Hps).
  assert (E : rsum v (filter (fun p => negb (b p)) ps) = rsum v ord - rsum v (filter b ps)).
  { rewrite <- (rsum_perm v _ _ Hperm), (rsum_filter_split v b ps). ring. }
  rewrite E. apply placement_affine; [exact Hs | exact Hnd | exact Hord | now apply NoDup_filter | | exact Hlen].
  intros y Hy. apply filter_In in Hy as [Hy _]. now apply (Permutation_in _ Hperm).
Qed.

End Placement.

(** ** The checker's order *)

(** A list sorted by [R1], mapped by [f], is sorted by [R2] when [R1] between list entries gives [R2]
    between their images. *)
Lemma Sorted_map_in {B C : Type} (R1 : B -> B -> Prop) (R2 : C -> C -> Prop) (f : B -> C) (P : B -> Prop)
    (l : list B) :
  (forall x y, P x -> P y -> R1 x y -> R2 (f x) (f y)) -> Forall P l -> Sorted R1 l -> Sorted R2 (map f l).
Proof.
  intros H HP Hs. induction Hs as [|x l Hs IH Hd]; simpl; constructor.
  - apply IH. now inversion HP.
  - inversion HP as [|? ? Px Pl]; subst. destruct Hd as [|y l' Hxy]; simpl; constructor.
    inversion Pl; subst. now apply H.
Qed.

(** Sorting the keyed positions [(key p, p)] by [leb] and reading back the positions gives a
    permutation of the positions along which [v] does not decrease, when [leb] of two keyed positions
    implies the order of their values. Apply it with [sorted := PosSort.sort (map (fun p => (key p, p)) ps)],
    [Permuted_sort] and [Sorted_sort]. *)
Lemma order_by_key {K A : Type} (leb : K * A -> K * A -> bool) (key : A -> K) (v : A -> R)
    (ps : list A) (sorted : list (K * A)) :
  Permutation (map (fun p => (key p, p)) ps) sorted ->
  Sorted (fun x y => leb x y = true) sorted ->
  (forall p r, leb (key p, p) (key r, r) = true -> v p <= v r) ->
  Permutation ps (map snd sorted) /\ Sorted (fun p r => v p <= v r) (map snd sorted).
Proof.
  intros Hperm Hs Hv. split.
  - replace ps with (map snd (map (fun p => (key p, p)) ps)) at 1
      by (rewrite map_map; apply map_id).
    now apply Permutation_map.
  - apply (Sorted_map_in (fun x y => leb x y = true) _ snd (fun x => fst x = key (snd x)));
      [| | exact Hs].
    + intros [k p] [k' r] Hp Hr Hle. simpl in *. subst. now apply Hv.
    + apply Forall_forall. intros [k p] Hin. apply (Permutation_in _ (Permutation_sym Hperm)), in_map_iff in Hin.
      destruct Hin as (p' & E & _). now inversion E.
Qed.

(** The positional weights exp(EQKP[q,p]·r) for r ≥ 0 (or divided by √d) do not decrease with the
    mantissa of EQKP[q,p] (one exponent for the whole matrix). *)
Lemma exp_dval_mono (m1 m2 e : Z) (r : R) :
  (m1 <= m2)%Z -> 0 <= r -> exp (dval m1 e * r) <= exp (dval m2 e * r).
Proof.
  intros Hm Hr. assert (H : dval m1 e * r <= dval m2 e * r).
  { apply Rmult_le_compat_r; [exact Hr|]. unfold dval. apply Rmult_le_compat_r.
    - left. apply powerRZ_2_pos.
    - now apply IZR_le. }
  now apply exp_le.
Qed.

Lemma exp_dval_div_mono (m1 m2 e : Z) (s : R) :
  (m1 <= m2)%Z -> 0 < s -> exp (dval m1 e / s) <= exp (dval m2 e / s).
Proof. intros Hm Hs. apply exp_dval_mono; [exact Hm|]. left. now apply Rinv_0_lt_compat. Qed.
