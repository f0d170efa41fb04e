(** The input rule of docs/certificate.md §8 is sound (coq-plan lemma 3): for a certificate the checker
    accepts and every input x (tokens t_p, query q = t_{n−1}, max token m),
    - [proven_right_sound]: [proven_right] on x's tokens implies [right W x] — through the U-filter
      (Σ_p U[q, m, t_p]·w_p's upper end < 0, with N_{p,j} ≤ U[q, m, t_p] from UBound.v and
      BoxBound.dominated_upper) or through up_j < 0 for every j ≠ m (BoxBound.box_upper_neg);
    - [proven_wrong_sound]: [proven_wrong] with a witness j ≠ m, j < V implies [~ right W x]
      (lo_j ≥ 0, BoxBound.box_lower_nonneg: ℓ_j ≥ ℓ_m, and a tie is wrong).
    Both rest on ModelMatrices.v (ℓ_j − ℓ_m has the sign of Σ_p w_p·N_{p,j}), MatricesSound.v (the
    checker's N_{p,j} at exponent d_e denote the real ones) and WeightsSound.v (the weights' enclosures,
    up to a common positive factor, which changes no sign). *)
From Coq Require Import ZArith Reals Lra Lia List.
From MechProof Require Import Int Dval RealSums Softmax BoxBound Table Arith Model Cert Matrices Inputs Cubic Check
  Statement Counting ModelMatrices MatrixLemmas MatricesSound EnclosureSound Accepted WeightsSound UBound.
Import ListNotations.

Lemma map2_seq {A B C} (f : A -> B -> C) (a : list A) (b : list B) da db :
  length a = length b -> map2 f a b = map (fun p => f (nth p a da) (nth p b db)) (seq 0 (length a)).
Proof.
  revert b. induction a as [|x a IH]; intros [|y b] H; simpl in *; try lia; [reflexivity|].
  f_equal. rewrite (IH b) by lia. rewrite <- seq_shift, map_map. reflexivity.
Qed.

Lemma map2_indexed {A B C} (f : Z * A -> B -> C) (a : list A) (b : list B) da db :
  length a = length b ->
  map2 f (indexed a) b = map (fun p => f (Z.of_nat p, nth p a da) (nth p b db)) (seq 0 (length a)).
Proof.
  intros H. unfold indexed. rewrite (map2_seq _ _ _ (0%Z, da) db) by (rewrite length_indexed_from; exact H).
  rewrite length_indexed_from. apply map_ext_in. intros p Hp. apply in_seq in Hp.
  rewrite nth_indexed_from by lia. reflexivity.
Qed.

(** The sign of a dyadic read off its mantissa, as BoxBound's [sign_ok]. *)
Lemma sign_ok_mantissa (z e : Z) : sign_ok (0 <=? z)%Z (dval z e).
Proof.
  unfold sign_ok. destruct (Z.leb_spec 0 z).
  - now apply dval_nonneg.
  - unfold dval. pose proof (powerRZ_2_pos e). apply IZR_lt in H. nra.
Qed.

Lemma dval_sub (a b e : Z) : dval (a - b) e = (dval a e - dval b e)%R.
Proof. unfold dval. rewrite minus_IZR. ring. Qed.

Lemma dval_rsum_IZR {A} (f : A -> Z) (l : list A) (e : Z) :
  (rsum (fun a => IZR (f a)) l * powerRZ 2 e = rsum (fun a => dval (f a) e) l)%R.
Proof. rewrite <- rsum_scal_r. reflexivity. Qed.

Module RuleSound (I : INT) (Import K : CHECK I).
Module Export WS := WeightsSound I K.
Module UB := UBound I K.
Local Open Scope R_scope.

(** ** Integer sums *)

Lemma isum_IZR (l : list I.t) : IZR (I.to_Z (isum l)) = rsum (fun x => IZR (I.to_Z x)) l.
Proof.
  unfold isum. rewrite rsum_fold_left.
  assert (H : forall acc, IZR (I.to_Z (fold_left I.add l acc)) =
                          fold_left (fun s x => s + IZR (I.to_Z x)) l (IZR (I.to_Z acc))).
  { induction l as [|x l IH]; intros acc; simpl; [reflexivity|]. rewrite IH, I.spec_add, plus_IZR. reflexivity. }
  rewrite H, I.spec_0. reflexivity.
Qed.

Lemma fold_vec_sum (len : nat) (vs : list (list I.t)) : forall acc,
  length acc = len -> Forall (fun v => length v = len) vs ->
  length (fold_left (map2 I.add) vs acc) = len /\
  forall j, (j < len)%nat -> IZR (I.to_Z (nth j (fold_left (map2 I.add) vs acc) I.zero)) =
    IZR (I.to_Z (nth j acc I.zero)) + rsum (fun v => IZR (I.to_Z (nth j v I.zero))) vs.
Proof.
  induction vs as [|v vs IH]; intros acc Hacc Hvs; cbn [fold_left].
  - split; [exact Hacc|]. intros j _. cbn. ring.
  - inversion Hvs as [|? ? Hv Hrest]; subst.
    destruct (IH (map2 I.add acc v)) as [L N]; [rewrite length_map2; lia | exact Hrest |].
    split; [exact L|]. intros j Hj. rewrite N by exact Hj.
    rewrite (nth_map2 _ _ _ _ I.zero I.zero) by lia. rewrite I.spec_add, plus_IZR, rsum_cons. ring.
Qed.

Lemma vec_sum_spec (len : nat) (vs : list (list I.t)) :
  Forall (fun v => length v = len) vs ->
  length (vec_sum (Z.of_nat len) vs) = len /\
  forall j, (j < len)%nat ->
    IZR (I.to_Z (nth j (vec_sum (Z.of_nat len) vs) I.zero)) = rsum (fun v => IZR (I.to_Z (nth j v I.zero))) vs.
Proof.
  intros Hvs. unfold vec_sum.
  assert (Lz : length (map (fun _ : Z => I.zero) (zseq (Z.of_nat len))) = len).
  { rewrite map_length. unfold zseq. rewrite Nat2Z.id. clear. generalize 0%Z.
    induction len; intros k; simpl; auto. }
  destruct (fold_vec_sum len vs _ Lz Hvs) as [L N]. split; [exact L|].
  intros j Hj. rewrite N by exact Hj. rewrite (nth_map_in _ _ _ 0%Z) by (rewrite map_length in Lz; lia).
  rewrite I.spec_0. ring.
Qed.

Lemma ups_negative_spec (R : rule) (m : Z) (vecs : list (list I.t)) :
  ups_negative R m vecs = true ->
  forall j, (j < length (vec_sum (rl_V R) vecs))%nat -> Z.of_nat j <> m ->
  (I.to_Z (nth j (vec_sum (rl_V R) vecs) I.zero) < 0)%Z.
Proof.
  unfold ups_negative, indexed. rewrite forallb_forall. intros H j Hj Hne.
  specialize (H (Z.of_nat j, nth j (vec_sum (rl_V R) vecs) I.zero)).
  replace (Z.of_nat j, nth j (vec_sum (rl_V R) vecs) I.zero) with
    (nth j (indexed_from 0 (vec_sum (rl_V R) vecs)) (0%Z, I.zero)) in H
    by (rewrite nth_indexed_from by exact Hj; reflexivity).
  assert (Hl : (j < length (indexed_from 0 (vec_sum (rl_V R) vecs)))%nat) by (rewrite length_indexed_from; exact Hj).
  specialize (H (nth_In _ _ Hl)).
  rewrite nth_indexed_from in H by exact Hj. simpl in H. apply Bool.orb_true_iff in H as [H|H].
  - apply Z.eqb_eq in H. contradiction.
  - rewrite I.spec_ltb, I.spec_0 in H. apply Z.ltb_lt, H.
Qed.

(** The upper and lower ends of N·w, as reals. *)
Lemma upper_term_val (u : I.t) (w : I.t * I.t) (e E : Z) :
  dval (I.to_Z (upper_term u w)) (e + E) =
  dval (I.to_Z u) e * (if (0 <=? I.to_Z u)%Z then dval (I.to_Z (snd w)) E else dval (I.to_Z (fst w)) E).
Proof.
  unfold upper_term. rewrite I.spec_leb, I.spec_0. destruct (0 <=? I.to_Z u)%Z; rewrite I.spec_mul, dval_mul; reflexivity.
Qed.

Lemma lower_term_val (u : I.t) (w : I.t * I.t) (e E : Z) :
  dval (I.to_Z (lower_term u w)) (e + E) =
  dval (I.to_Z u) e * (if (0 <=? I.to_Z u)%Z then dval (I.to_Z (fst w)) E else dval (I.to_Z (snd w)) E).
Proof.
  unfold lower_term. rewrite I.spec_leb, I.spec_0. destruct (0 <=? I.to_Z u)%Z; rewrite I.spec_mul, dval_mul; reflexivity.
Qed.

(** ** The rule on one input *)

Section Rule.
Variables (W : weights) (C : cert) (r : ival) (cr : cases_result I.t) (nres : Z) (nwrong : option Z).
Hypothesis A : accepted W C r cr nres nwrong.

Local Notation V := (d_vocab (cfg W)).
Local Notation n := (n_ctx (cfg W)).
Local Notation dh := (d_head (cfg W)).
Local Notation s := (/ sqrt (INR dh)).
Local Notation Ru := (acc_R W r).
Local Notation D := (acc_D W).

Let Hc := ac_config_ok _ _ _ _ _ _ A.
Let Hs := ac_shapes _ _ _ _ _ _ A.

Lemma dims' : (2 <= V /\ 2 <= n /\ 1 <= d_model (cfg W) /\ 1 <= dh)%nat.
Proof. exact (dims W Hc). Qed.

(** An entry of the derived rows, as the rule's tables hold them. *)
Lemma den_at (rows : list (list I.t)) (nr nc : nat) f (i j : nat) :
  ML.den rows (d_e D) nr nc f -> (i < nr)%nat -> (j < nc)%nat ->
  dval (I.to_Z (at_ (UB.row_at rows (Z.of_nat i)) (Z.of_nat j))) (d_e D) = f i j.
Proof.
  intros (_ & _ & H) Hi Hj. unfold at_, UB.row_at. rewrite !Nat2Z.id. apply H; assumption.
Qed.

Lemma shape_of (rows : list (list I.t)) (nr nc : nat) f :
  ML.den rows (d_e D) nr nc f -> rows_shape rows (Z.to_nat (Z.of_nat nr)) (Z.to_nat (Z.of_nat nc)).
Proof. intros (H1 & H2 & _). rewrite !Nat2Z.id. split; assumption. Qed.

Let DA : ML.den (eupu_rows D) (d_e D) V V (EUPU W) := den_eupu_rows W Hc Hs.
Let DB : ML.den (evou_rows D) (d_e D) V V (EVOU W) := den_evou_rows W Hc Hs.
Let DP : ML.den (pvou_rows D) (d_e D) n V (PVOU W) := den_pvou_rows W Hc Hs.

Section Input.
Variable x : nat.

Local Notation T := (tokens V n x).
Local Notation q := (token W x (n - 1)).
Local Notation m := (max_token W x).

Lemma T_length : length T = n.
Proof. apply tokens_length. Qed.

Lemma T_below : forall t, In t T -> (t < V)%nat.
Proof.
  intros t Ht. unfold tokens in Ht. apply in_map_iff in Ht as (p & <- & _).
  apply Nat.mod_upper_bound. pose proof dims'. lia.
Qed.

Lemma T_nth (p : nat) : (p < n)%nat -> nth p T 0%nat = token W x p.
Proof. apply nth_tokens. Qed.

Lemma T_last : last T 0%nat = q.
Proof.
  pose proof dims'. replace n with (S (n - 1)) at 1 by lia. rewrite last_tokens. reflexivity.
Qed.

Lemma T_max : max_tok (map Z.of_nat T) = Z.of_nat m.
Proof. unfold max_tok. rewrite list_max_of_nat. reflexivity. Qed.

Lemma T_query : query_tok (map Z.of_nat T) = Z.of_nat q.
Proof. unfold query_tok. rewrite last_of_nat, T_last. reflexivity. Qed.

Lemma token_below (p : nat) : (token W x p < V)%nat.
Proof. apply Nat.mod_upper_bound. pose proof dims'. lia. Qed.

Lemma m_below : (m < V)%nat.
Proof.
  pose proof dims'. unfold max_token.
  assert (H' : (fold_right Nat.max 0 (map (token W x) (seq 0 n)) <= V - 1)%nat).
  { change (List.list_max (map (token W x) (seq 0 n)) <= V - 1)%nat. apply Counting.list_max_le_all.
    intros t Ht. apply in_map_iff in Ht as (p & <- & _). pose proof (token_below p). lia. }
  lia.
Qed.

(** N_{p,j} of the checker (UBound.v's [N_of] at exponent d_e) denotes the model's [Ncoef]. *)
Lemma N_of_val (p j : nat) : (p < n)%nat -> (j < V)%nat ->
  dval (UB.N_of D (Z.of_nat q) (Z.of_nat m) (Z.of_nat (token W x p)) (Z.of_nat p) (Z.of_nat j)) (d_e D) =
  Ncoef W x m j p.
Proof.
  intros Hp Hj. pose proof (token_below (n - 1)). pose proof (token_below p). pose proof m_below.
  unfold UB.N_of. rewrite !dval_add, !dval_sub.
  rewrite !(den_at _ V V _ _ _ DA), !(den_at _ V V _ _ _ DB), !(den_at _ n V _ _ _ DP) by assumption.
  unfold Ncoef. ring.
Qed.

(** Entry j of [n_row] is N_{p,j}. *)
Lemma n_row_spec (p j : nat) : (p < n)%nat -> (j < V)%nat ->
  length (n_row Ru (Z.of_nat q) (Z.of_nat m) (Z.of_nat (token W x p)) (Z.of_nat p)) = V /\
  I.to_Z (nth j (n_row Ru (Z.of_nat q) (Z.of_nat m) (Z.of_nat (token W x p)) (Z.of_nat p)) I.zero) =
  UB.N_of D (Z.of_nat q) (Z.of_nat m) (Z.of_nat (token W x p)) (Z.of_nat p) (Z.of_nat j).
Proof.
  intros Hp Hj. pose proof (token_below (n - 1)). pose proof (token_below p). pose proof m_below.
  destruct DA as (A1 & A2 & _). destruct DB as (B1 & B2 & _). destruct DP as (P1 & P2 & _).
  unfold n_row, acc_R, mk_rule. cbn [rl_eupu rl_evou rl_pvou rl_eupu_t rl_evou_t rl_pvou_t].
  rewrite !get_of_list by lia. rewrite !UB.get2_rows by lia. rewrite !Nat2Z.id.
  fold (acc_D W).
  assert (La : length (nth q (eupu_rows D) []) = V) by (apply Forall_nth_len; auto; lia).
  assert (Lb : length (nth (token W x p) (evou_rows D) []) = V) by (apply Forall_nth_len; auto; lia).
  assert (Lp : length (nth p (pvou_rows D) []) = V) by (apply Forall_nth_len; auto; lia).
  split.
  - rewrite length_map2, combine_length. lia.
  - rewrite (nth_map2 _ _ _ _ I.zero (I.zero, I.zero)) by (rewrite ?combine_length; lia).
    rewrite combine_nth by lia. cbn [fst snd].
    rewrite !I.spec_add, !I.spec_sub. unfold UB.N_of, UB.row_at, at_. rewrite !Nat2Z.id. ring.
Qed.

(** The tokens as the checker reads them. *)
Lemma T_nth_Z (p : nat) : (p < n)%nat -> nth p (map Z.of_nat T) 0%Z = Z.of_nat (token W x p).
Proof. intros Hp. rewrite (nth_map_in _ _ _ 0%nat) by (rewrite T_length; exact Hp). now rewrite T_nth. Qed.

(** A sum of mantissas at one exponent has the sign of the sum of their values. *)
Lemma rsum_IZR_neg (f : nat -> Z) (l : list nat) (e : Z) :
  rsum (fun p => IZR (f p)) l < 0 -> rsum (fun p => dval (f p) e) l < 0.
Proof. intros H. rewrite <- dval_rsum_IZR. pose proof (powerRZ_2_pos e). nra. Qed.

Lemma rsum_IZR_nonneg (f : nat -> Z) (l : list nat) (e : Z) :
  0 <= rsum (fun p => IZR (f p)) l -> 0 <= rsum (fun p => dval (f p) e) l.
Proof. intros H. rewrite <- dval_rsum_IZR. pose proof (powerRZ_2_pos e). nra. Qed.

(** The weights divided by the common factor c, enclosed by the rule's (lo_p, hi_p) at exponent E. *)
Section Enclosed.
Variables (E : Z) (c : R).
Hypothesis Hc0 : 0 < c.
Let ws := weights_of Ru (map Z.of_nat T).
Let v (p : nat) : R := exp (ModelMatrices.EQKE W q (nth p T 0%nat) * s) * exp (ModelMatrices.EQKP W q p * s) / c.
Let lo (p : nat) : R := dval (I.to_Z (fst (nth p ws (I.zero, I.zero)))) E.
Let hi (p : nat) : R := dval (I.to_Z (snd (nth p ws (I.zero, I.zero)))) E.
Hypothesis Hw : forall p, (p < n)%nat -> 0 <= lo p /\ lo p <= v p <= hi p.

Lemma wexp_v (p : nat) : In p (seq 0 n) -> wexp W x p = c * v p.
Proof.
  intros Hp. apply in_seq in Hp. unfold v. rewrite wexp_factor, T_nth by lia. unfold Rdiv. field. lra.
Qed.

(** Σ_p v_p·N_{p,j} < 0 for every j ≠ m makes the input right. *)
Lemma right_of_neg : (forall j, (j < V)%nat -> j <> m -> rsum (fun p => Ncoef W x m j p * v p) (seq 0 n) < 0) ->
  right W x.
Proof.
  intros H j Hj Hne. pose proof dims'. apply logit_lt_weighted; [lia|].
  apply (common_factor_lt_0 c _ v); [exact Hc0 | exact wexp_v |].
  rewrite (rsum_ext _ (fun p => Ncoef W x m j p * v p)) by (intros p; ring). apply H; assumption.
Qed.

(** Σ_p v_p·N_{p,j} ≥ 0 for one j ≠ m makes it wrong. *)
Lemma wrong_of_nonneg (j : nat) : (j < V)%nat -> j <> m ->
  0 <= rsum (fun p => Ncoef W x m j p * v p) (seq 0 n) -> ~ right W x.
Proof.
  intros Hj Hne H Hr. pose proof dims'. specialize (Hr j Hj Hne).
  assert (H' : 0 <= rsum (fun p => wexp W x p * Ncoef W x m j p) (seq 0 n)).
  { apply (common_factor_ge_0 c _ v); [exact Hc0 | exact wexp_v |].
    rewrite (rsum_ext _ (fun p => Ncoef W x m j p * v p)) by (intros p; ring). exact H. }
  apply logit_ge_weighted in H'; [lra | lia].
Qed.

(** The U-filter of §8. *)
Lemma filter_sound : filter_ok Ru (map Z.of_nat T) (Z.of_nat m) (Z.of_nat q) ws = true -> right W x.
Proof.
  intros H. apply right_of_neg. intros j Hj Hne. pose proof dims'. pose proof m_below. pose proof (token_below (n - 1)).
  unfold filter_ok in H. rewrite I.spec_ltb, I.spec_0, Z.ltb_lt in H. apply IZR_lt in H. rewrite isum_IZR in H.
  rewrite (map2_seq _ _ _ 0%Z (I.zero, I.zero)) in H
    by (fold ws; rewrite map_length, T_length; symmetry; apply (weights_sound W C r cr nres nwrong A); [apply T_length | apply T_below]).
  rewrite rsum_map, map_length, T_length in H.
  apply (rsum_IZR_neg _ _ (d_e D + E)) in H.
  set (U := fun p => dval (I.to_Z (U_of Ru (Z.of_nat q) (Z.of_nat m) (Z.of_nat (token W x p)))) (d_e D)).
  set (b := fun p => (0 <=? I.to_Z (U_of Ru (Z.of_nat q) (Z.of_nat m) (Z.of_nat (token W x p))))%Z).
  eapply Rle_lt_trans; [apply (dominated_upper _ U v lo hi b)|].
  - intros p Hp. apply in_seq in Hp. rewrite <- N_of_val by lia. unfold U. unfold dval.
    apply Rmult_le_compat_r; [left; apply powerRZ_2_pos|]. apply IZR_le.
    pose proof (token_below p).
    unfold acc_R. apply UB.N_le_U; [apply (shape_of _ V V _ DA) | apply (shape_of _ V V _ DB) | apply (shape_of _ n V _ DP) | lia..].
  - intros p _. apply sign_ok_mantissa.
  - intros p Hp. apply in_seq in Hp. apply Hw. lia.
  - intros p Hp. apply in_seq in Hp. apply Hw. lia.
  - eapply Rle_lt_trans; [|exact H]. right. apply rsum_ext_in. intros p Hp. apply in_seq in Hp.
    rewrite T_nth_Z by lia. rewrite upper_term_val. reflexivity.
Qed.

(** The full test of §8: up_j < 0 for every j ≠ m. *)
Lemma ups_sound :
  ups_negative Ru (Z.of_nat m)
    (map2 (fun pt w => term_vec Ru (Z.of_nat q) (Z.of_nat m) (snd pt) (fst pt) w) (indexed (map Z.of_nat T)) ws) = true ->
  right W x.
Proof.
  intros H. apply right_of_neg. intros j Hj Hne. pose proof dims'. pose proof m_below.
  assert (Lws : length ws = n) by (apply (weights_sound W C r cr nres nwrong A); [apply T_length | apply T_below]).
  rewrite (map2_indexed _ _ _ 0%Z (I.zero, I.zero)) in H by (rewrite map_length, T_length; auto).
  rewrite map_length, T_length in H. cbn [fst snd] in H.
  set (vecs := map _ (seq 0 n)) in H.
  assert (Lv : Forall (fun v => length v = V) vecs).
  { apply Forall_forall. intros vv Hv. unfold vecs in Hv. apply in_map_iff in Hv as (p & <- & Hp).
    apply in_seq in Hp. unfold term_vec. rewrite map_length, T_nth_Z by lia. apply (n_row_spec p 0); lia. }
  assert (RV : rl_V Ru = Z.of_nat V) by reflexivity.
  destruct (vec_sum_spec V vecs Lv) as [Ls Hs'].
  pose proof (ups_negative_spec Ru (Z.of_nat m) vecs) as Hu. rewrite RV in Hu.
  specialize (Hu H j ltac:(lia) ltac:(lia)). apply IZR_lt in Hu. rewrite Hs' in Hu by exact Hj.
  unfold vecs in Hu. rewrite rsum_map in Hu. apply (rsum_IZR_neg _ _ (d_e D + E)) in Hu.
  set (Nv := fun p => dval (I.to_Z (nth j (n_row Ru (Z.of_nat q) (Z.of_nat m) (Z.of_nat (token W x p)) (Z.of_nat p)) I.zero)) (d_e D)).
  set (b := fun p => (0 <=? I.to_Z (nth j (n_row Ru (Z.of_nat q) (Z.of_nat m) (Z.of_nat (token W x p)) (Z.of_nat p)) I.zero))%Z).
  rewrite (rsum_ext_in _ (fun p => Nv p * v p)).
  2:{ intros p Hp. apply in_seq in Hp. unfold Nv. destruct (n_row_spec p j ltac:(lia) Hj) as [_ E1].
      rewrite E1, N_of_val by lia. reflexivity. }
  apply (box_upper_neg Nv v lo hi b).
  - intros p _. apply sign_ok_mantissa.
  - intros p Hp. apply in_seq in Hp. apply Hw. lia.
  - eapply Rle_lt_trans; [|exact Hu]. right. apply rsum_ext_in. intros p Hp. apply in_seq in Hp.
    rewrite T_nth_Z by lia. unfold term_vec.
    destruct (n_row_spec p j ltac:(lia) Hj) as [L1 _].
    rewrite (nth_map_in _ _ _ I.zero) by lia. rewrite upper_term_val. reflexivity.
Qed.

(** The wrong test of §8 with witness j. *)
Lemma wrong_sound (j : nat) : (j < V)%nat -> j <> m ->
  proven_wrong Ru (map Z.of_nat T) (Z.of_nat j) = true -> ~ right W x.
Proof.
  intros Hj Hne H. pose proof dims'. pose proof m_below. pose proof (token_below (n - 1)).
  apply (wrong_of_nonneg j Hj Hne).
  assert (Lws : length ws = n) by (apply (weights_sound W C r cr nres nwrong A); [apply T_length | apply T_below]).
  unfold proven_wrong in H. rewrite T_max, T_query in H. fold ws in H.
  rewrite I.spec_leb, I.spec_0, Z.leb_le in H. apply IZR_le in H. rewrite isum_IZR in H.
  rewrite (map2_indexed _ _ _ 0%Z (I.zero, I.zero)) in H by (rewrite map_length, T_length; auto).
  rewrite map_length, T_length, rsum_map in H. apply (rsum_IZR_nonneg _ _ (d_e D + E)) in H.
  set (b := fun p => (0 <=? UB.N_of D (Z.of_nat q) (Z.of_nat m) (Z.of_nat (token W x p)) (Z.of_nat p) (Z.of_nat j))%Z).
  apply (box_lower_nonneg _ v lo hi b).
  - intros p Hp. apply in_seq in Hp. rewrite <- N_of_val by lia. apply sign_ok_mantissa.
  - intros p Hp. apply in_seq in Hp. apply Hw. lia.
  - eapply Rle_trans; [exact H|]. right. apply rsum_ext_in. intros p Hp. apply in_seq in Hp.
    rewrite T_nth_Z by lia. pose proof (token_below p).
    unfold acc_R, mk_rule. cbn [rl_eupu_t rl_evou_t rl_pvou_t]. fold (acc_D W).
    rewrite !UB.get2_rows by lia. rewrite lower_term_val.
    replace (I.to_Z _) with (UB.N_of D (Z.of_nat q) (Z.of_nat m) (Z.of_nat (token W x p)) (Z.of_nat p) (Z.of_nat j)).
    + rewrite N_of_val by lia. reflexivity.
    + rewrite !I.spec_add, !I.spec_sub. unfold UB.N_of, at_. ring.
Qed.

End Enclosed.

(** ** §8: the verdicts of the input rule are sound *)

Theorem proven_right_sound : proven_right Ru (map Z.of_nat T) = true -> right W x.
Proof.
  destruct (weights_sound W C r cr nres nwrong A T T_length T_below) as [Lws (E & c & Hc0 & Hw)].
  rewrite T_last in Hw.
  unfold proven_right. rewrite T_max, T_query.
  destruct (filter_ok Ru (map Z.of_nat T) (Z.of_nat m) (Z.of_nat q) (weights_of Ru (map Z.of_nat T))) eqn:F.
  - intros _. exact (filter_sound E c Hc0 Hw F).
  - exact (ups_sound E c Hc0 Hw).
Qed.

Theorem proven_wrong_sound (j : nat) : (j < V)%nat -> j <> m ->
  proven_wrong Ru (map Z.of_nat T) (Z.of_nat j) = true -> ~ right W x.
Proof.
  destruct (weights_sound W C r cr nres nwrong A T T_length T_below) as [Lws (E & c & Hc0 & Hw)].
  rewrite T_last in Hw. exact (wrong_sound E c Hc0 Hw j).
Qed.

End Input.
End Rule.
End RuleSound.
