(** The weights of the input rule (docs/certificate.md §8) are enclosed: for an input with tokens T
    (query q = t_{n−1}), [weights_of] gives, for every position p, mantissas (lo_p, hi_p) at one exponent
    E with 0 ≤ lo_p·2^E ≤ w_p / c ≤ hi_p·2^E, where w_p = exp(EQKE[q, t_p]/√d)·exp(EQKP[q, p]/√d) is the
    model's exp(score_p) (ModelMatrices.wexp_factor) and c > 0 is common to all positions:
    - tokens not all equal: c = 1 and (lo_p, hi_p) = (tok_lo[q, t_p]·pos_lo[q, p], tok_hi[q, t_p]·pos_hi[q, p])
      from the checker's own enclosures, products of non-negative intervals;
    - all tokens equal (to q): c = exp(EQKE[q, q]/√d) and (lo_p, hi_p) = pos[q, p]: the token factor is
      common to all weights, so dividing by it changes no sign of §8's sums (Softmax.v, [common_factor_lt_0]). *)
From Coq Require Import ZArith Reals Lra Lia List.
From MechProof Require Import Int Dval RealSums BoxBound Table Arith Model Cert Matrices Inputs Cubic Check Statement
  Counting ModelMatrices MatrixLemmas UBound MatricesSound EnclosureSound Accepted.
Import ListNotations.

Lemma nth_indexed_from {A} (l : list A) (k : Z) (p : nat) (d : A) :
  (p < length l)%nat -> nth p (indexed_from k l) (0%Z, d) = (k + Z.of_nat p, nth p l d)%Z.
Proof.
  revert k p. induction l as [|x l IH]; intros k p Hp; simpl in *; [lia|].
  destruct p as [|p]; [f_equal; lia|]. rewrite IH by lia. f_equal. lia.
Qed.

Lemma last_in {A} (l : list A) (d : A) : l <> [] -> In (last l d) l.
Proof.
  induction l as [|x [|y l] IH]; intros H; [congruence | left; reflexivity |].
  right. apply IH. discriminate.
Qed.

Lemma length_indexed_from {A} (l : list A) (k : Z) : length (indexed_from k l) = length l.
Proof. revert k. induction l; intros k; simpl; auto. Qed.

Module WeightsSound (I : INT) (Import K : CHECK I).
Module Export AC := Accepted I K.
Local Open Scope R_scope.

(** The ends of a row of intervals at their smallest exponent keep their values. *)
Lemma common_spec (ivs : list (dy * dy)) :
  let '(los, his, e) := common ivs in
  length los = length ivs /\ length his = length ivs /\
  forall p, (p < length ivs)%nat ->
    dval (I.to_Z (nth p los I.zero)) e = val (fst (nth p ivs (dy_zero, dy_zero))) /\
    dval (I.to_Z (nth p his I.zero)) e = val (snd (nth p ivs (dy_zero, dy_zero))).
Proof.
  unfold common, align. rewrite !map_map. split; [apply map_length|]. split; [apply map_length|].
  intros p Hp. rewrite !(nth_map_in _ _ _ (dy_zero, dy_zero)) by exact Hp.
  assert (Hin : In (nth p ivs (dy_zero, dy_zero)) ivs) by (apply nth_In, Hp).
  split; apply val_aligned, min_exp_le; apply in_or_app; [left | right]; apply in_map, Hin.
Qed.

Section Weights.
Variables (W : weights) (C : cert) (r : ival) (cr : cases_result I.t) (nres : Z) (nwrong : option Z).
Hypothesis A : accepted W C r cr nres nwrong.

Local Notation V := (d_vocab (cfg W)).
Local Notation n := (n_ctx (cfg W)).
Local Notation dh := (d_head (cfg W)).
Local Notation s := (/ sqrt (INR dh)).
Local Notation Ru := (acc_R W r).

Let Hc := ac_config_ok _ _ _ _ _ _ A.
Let Hs := ac_shapes _ _ _ _ _ _ A.

(** The own enclosures of one row of EQKE (tok) or EQKP (pos), at one exponent. *)
Definition tok_row (q : nat) : encl_row I.t := common (map unwrap (nth q (enclose_mat r (eqke (acc_M W))) [])).
Definition pos_row (q : nat) : encl_row I.t := common (map unwrap (nth q (enclose_mat r (eqkp (acc_M W))) [])).

(** An own enclosure row: [len] entries, the lower end ≥ 0, enclosing exp(f q p·s). *)
Definition row_ok (row : encl_row I.t) (len : nat) (f : nat -> R) : Prop :=
  let '(lo, hi, e) := row in
  length lo = len /\ length hi = len /\
  forall p, (p < len)%nat ->
    0 <= dval (I.to_Z (nth p lo I.zero)) e /\
    dval (I.to_Z (nth p lo I.zero)) e <= exp (f p * s) <= dval (I.to_Z (nth p hi I.zero)) e.

Lemma row_ok_of (c : exp_claim) (M : mat) (len q nr : nat) (f : nat -> nat -> R) :
  ML.den (Matrices.rows M) (mexp M) nr len f ->
  enclosure_shape c (Z.of_nat nr) (Z.of_nat len) = true -> enclosure_ok c (enclose_mat r M) = true ->
  (q < nr)%nat -> row_ok (common (map unwrap (nth q (enclose_mat r M) []))) len (f q).
Proof.
  intros Hd Hsh Hok Hq. destruct (r_sound _ _ _ _ _ _ A) as [_ Hr].
  destruct (own_shape r M nr len f Hd) as [OL OR].
  assert (Lrow : length (nth q (enclose_mat r M) []) = len) by (apply Forall_nth_len; auto; lia).
  pose proof (common_spec (map unwrap (nth q (enclose_mat r M) []))) as Hcs.
  destruct (common (map unwrap (nth q (enclose_mat r M) []))) as [[lo hi] e]. unfold row_ok.
  rewrite map_length, Lrow in Hcs. destruct Hcs as (L1 & L2 & Hv). split; [exact L1|]. split; [exact L2|].
  intros j Hj. destruct (own_some r s c M nr len f Hr Hd Hsh Hok q j Hq Hj) as (olo & ohi & E & H1 & H2).
    destruct (Hv j Hj) as [V1 V2]. rewrite V1, V2.
    rewrite (nth_map_in _ _ _ None) by lia. rewrite E. simpl. lra.
Qed.

Lemma tok_row_ok (q : nat) : (q < V)%nat -> row_ok (tok_row q) V (ModelMatrices.EQKE W q).
Proof.
  intros Hq. apply (row_ok_of (exp_eqke C) _ V q V); auto.
  - apply den_eqke; assumption.
  - apply (ac_eqke_shape _ _ _ _ _ _ A).
  - apply (ac_eqke_ok _ _ _ _ _ _ A).
Qed.

Lemma pos_row_ok (q : nat) : (q < V)%nat -> row_ok (pos_row q) n (ModelMatrices.EQKP W q).
Proof.
  intros Hq. apply (row_ok_of (exp_eqkp C) _ n q V); auto.
  - apply den_eqkp; assumption.
  - apply (ac_eqkp_shape _ _ _ _ _ _ A).
  - apply (ac_eqkp_ok _ _ _ _ _ _ A).
Qed.

Lemma own_lengths : length (enclose_mat r (eqke (acc_M W))) = V /\ length (enclose_mat r (eqkp (acc_M W))) = V.
Proof.
  split; [apply (own_shape r _ V V _ (den_eqke W Hc Hs)) | apply (own_shape r _ V n _ (den_eqkp W Hc Hs))].
Qed.

(** What the rule's tables hold for query token q. *)
Lemma rl_pos_get (q : nat) : (q < V)%nat -> get (rl_pos Ru) (Z.of_nat q) ([], [], 0%Z) = pos_row q.
Proof.
  intros Hq. unfold acc_R, mk_rule; cbn [rl_pos]. rewrite get_of_list by lia. rewrite Nat2Z.id.
  rewrite (nth_map_in _ _ _ []) by (rewrite (proj2 own_lengths); exact Hq). reflexivity.
Qed.

Lemma rl_w_get (q : nat) : (q < V)%nat ->
  get (rl_w Ru) (Z.of_nat q) empty =
  let '(tlo, thi, _) := tok_row q in let '(plo, phi, _) := pos_row q in
  of_list (map2 (fun a b => map2 (fun c d => (I.mul a c, I.mul b d)) plo phi) tlo thi).
Proof.
  intros Hq. destruct own_lengths as [L1 L2]. unfold acc_R, mk_rule; cbn [rl_w]. rewrite get_of_list by lia.
  rewrite Nat2Z.id. rewrite (nth_map2 _ _ _ _ ([], [], 0%Z) ([], [], 0%Z)) by (rewrite map_length; lia).
  rewrite !(nth_map_in _ _ _ []) by lia. fold (tok_row q) (pos_row q).
  destruct (tok_row q) as [[tlo thi] et]. destruct (pos_row q) as [[plo phi] ep]. reflexivity.
Qed.

(** The weights of the input rule, enclosed up to a common positive factor. *)
Theorem weights_sound (T : list nat) : length T = n -> (forall t, In t T -> (t < V)%nat) ->
  let q := last T 0%nat in
  let ws := weights_of Ru (map Z.of_nat T) in
  length ws = n /\ exists (E : Z) (c : R), 0 < c /\ forall p, (p < n)%nat ->
    let w := nth p ws (I.zero, I.zero) in
    0 <= dval (I.to_Z (fst w)) E /\
    dval (I.to_Z (fst w)) E <= exp (ModelMatrices.EQKE W q (nth p T 0%nat) * s) * exp (ModelMatrices.EQKP W q p * s) / c
      <= dval (I.to_Z (snd w)) E.
Proof.
  intros HL HV q ws. pose proof (config_ok_spec _ Hc) as Hdims.
  assert (Hq : (q < V)%nat) by (apply HV; unfold q; apply last_in; intros E; rewrite E in HL; simpl in HL; lia).
  unfold ws, weights_of, query_tok. rewrite last_of_nat. fold q.
  destruct (forallb (Z.eqb (Z.of_nat q)) (map Z.of_nat T)) eqn:Heq.
  - (* all tokens equal q: pos alone, c = exp(EQKE[q, q]·s) *)
    rewrite rl_pos_get by exact Hq. pose proof (pos_row_ok q Hq) as Hp.
    destruct (pos_row q) as [[plo phi] ep]. destruct Hp as (L1 & L2 & Hp).
    rewrite combine_length. split; [lia|].
    exists ep, (exp (ModelMatrices.EQKE W q q * s)). split; [apply exp_pos|]. intros p Hpn.
    rewrite combine_nth by lia. simpl.
    assert (Tp : nth p T 0%nat = q).
    { rewrite forallb_forall in Heq. specialize (Heq (Z.of_nat (nth p T 0%nat))).
      assert (In (Z.of_nat (nth p T 0%nat)) (map Z.of_nat T)) by (apply in_map, nth_In; lia).
      apply Z.eqb_eq, Nat2Z.inj in Heq; auto. }
    rewrite Tp. replace (exp (ModelMatrices.EQKE W q q * s) * exp (ModelMatrices.EQKP W q p * s) /
                         exp (ModelMatrices.EQKE W q q * s)) with (exp (ModelMatrices.EQKP W q p * s))
      by (field; apply Rgt_not_eq, exp_pos).
    apply Hp, Hpn.
  - (* tok[q, t_p]·pos[q, p], c = 1 *)
    rewrite rl_w_get by exact Hq. pose proof (tok_row_ok q Hq) as Ht. pose proof (pos_row_ok q Hq) as Hp.
    destruct (tok_row q) as [[tlo thi] et]. destruct (pos_row q) as [[plo phi] ep].
    destruct Ht as (T1 & T2 & Ht). destruct Hp as (P1 & P2 & Hp).
    unfold indexed. rewrite map_length, length_indexed_from, map_length. split; [exact HL|].
    exists (et + ep)%Z, 1. split; [lra|]. intros p Hpn.
    rewrite (nth_map_in _ (indexed_from 0 (map Z.of_nat T)) p (0%Z, 0%Z) (I.zero, I.zero))
      by (rewrite length_indexed_from, map_length; lia).
    rewrite nth_indexed_from by (rewrite map_length; lia). cbn [fst snd]. rewrite Z.add_0_l, Nat2Z.id.
    rewrite (nth_map_in _ T p 0%nat 0%Z) by lia.
    set (t := nth p T 0%nat). assert (Htv : (t < V)%nat) by (apply HV, nth_In; lia).
    rewrite get_of_list by lia. rewrite Nat2Z.id.
    rewrite (nth_map2 _ _ _ _ I.zero I.zero) by lia. rewrite (nth_map2 _ _ _ _ I.zero I.zero) by lia.
    cbn [fst snd]. rewrite !I.spec_mul, !dval_mul. unfold Rdiv. rewrite Rinv_1, Rmult_1_r.
    destruct (Ht t Htv) as [Ht0 Ht1]. destruct (Hp p Hpn) as [Hp0 Hp1].
    split; [apply Rmult_le_pos; assumption|]. apply prod_interval; assumption.
Qed.

End Weights.
End WeightsSound.
